// The compiler driver: loads the entry module and, depth first, every module
// it imports (the importing file's folder first, then the embedded standard
// library), rejects import cycles, orders the modules for initialisation
// (prelude, then each module after its imports, the entry module last),
// then runs the checker and the code generator.
#include "compiler/compiler.hpp"

#include <fmt/format.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "compiler/checker.hpp"
#include "compiler/codegen.hpp"
#include "compiler/parser.hpp"
#include "stdlib/embedded.hpp"

namespace nido::compiler {

namespace fs = std::filesystem;

namespace {

bool readFile(const std::string& path, std::string& out) {
    std::error_code ec;
    if (fs::is_directory(path, ec)) return false;
    std::ifstream in(path, std::ios::binary);
    if (!in) return false;
    std::ostringstream ss;
    ss << in.rdbuf();
    out = ss.str();
    return !in.bad();
}

// Where a module's text comes from.
struct ModuleSource {
    std::string key;        // identity: the canonical file path, or "<stdlib>:name"
    std::string name;       // module name
    std::string path;       // for diagnostics
    std::string file;       // for traces
    std::string folder;     // where its own imports are looked up first
    bool embedded = false;  // standard library: imports only from the standard library
    std::string text;
};

class Loader {
public:
    explicit Loader(Diagnostics& diags) : diags_(diags) {}

    // Parses src and, before it, every module it imports; appends it to
    // modules after them. Returns its index.
    size_t load(ModuleSource src) {
        active_.push_back({src.key, src.name, src.path, &src.text, Loc{}});
        auto ast = parseModule(src.path, src.name, src.text, diags_);
        std::vector<size_t> imports;
        for (const Import& imp : ast->imports) {
            if (diags_.full()) break;
            active_.back().importLoc = imp.loc;
            std::optional<ModuleSource> dep = locate(imp.name, src);
            if (!dep) {
                diags_.error(src.path, src.text, imp.loc, fmt::format("unknown module '{}'", imp.name));
                continue;
            }
            if (reportCycle(dep->key, dep->name)) continue;
            auto done = loaded_.find(dep->key);
            imports.push_back(done != loaded_.end() ? done->second : load(std::move(*dep)));
        }
        active_.pop_back();
        SourceModule m;
        m.ast = std::move(ast);
        m.path = src.path;
        m.file = src.file;
        m.source = std::move(src.text);
        m.importIndices = std::move(imports);
        m.standard = src.embedded;
        modules.push_back(std::move(m));
        loaded_[src.key] = modules.size() - 1;
        return modules.size() - 1;
    }

    std::vector<SourceModule> modules;  // initialisation order

private:
    std::optional<ModuleSource> locate(const std::string& name, const ModuleSource& importer) {
        ModuleSource s;
        s.name = name;
        if (!importer.embedded) {
            const std::string& folder = importer.folder;
            fs::path p = fs::path(folder) / (name + ".nd");
            std::error_code ec;
            if (fs::is_regular_file(p, ec)) {
                s.key = fs::weakly_canonical(p, ec).string();
                s.path = p.string();
                s.file = name + ".nd";
                s.folder = folder;
                if (!loaded_.count(s.key) && !readFile(s.path, s.text)) return std::nullopt;
                return s;
            }
        }
        const char* text = stdlib::embeddedModuleSource(name);
        if (!text) return std::nullopt;
        s.key = "<stdlib>:" + name;
        s.path = "<stdlib>/" + name + ".nd";
        s.file = name + ".nd";
        s.embedded = true;
        s.text = text;
        return s;
    }

    // When key is being loaded, importing it again closes a cycle: reports
    // "import cycle: a -> b -> a" at the import in the module where the
    // cycle starts.
    bool reportCycle(const std::string& key, const std::string& name) {
        for (size_t i = 0; i < active_.size(); i++) {
            if (active_[i].key != key) continue;
            std::string cycle;
            for (size_t j = i; j < active_.size(); j++) cycle += active_[j].name + " -> ";
            diags_.error(active_[i].path, *active_[i].text, active_[i].importLoc, "import cycle: " + cycle + name);
            return true;
        }
        return false;
    }

    // A module whose imports are being loaded.
    struct Active {
        std::string key, name, path;
        const std::string* text;
        Loc importLoc;  // the import being followed
    };

    Diagnostics& diags_;
    std::map<std::string, size_t> loaded_;  // key -> index in modules
    std::vector<Active> active_;            // outermost first
};

}  // namespace

std::optional<vm::Program> compileSource(const std::string& path, const std::string& source, Diagnostics& diags) {
    Loader loader(diags);
    ModuleSource prelude;
    prelude.key = "<stdlib>:prelude";
    prelude.name = "prelude";
    prelude.path = "<stdlib>/prelude.nd";
    prelude.file = "prelude.nd";
    prelude.embedded = true;
    prelude.text = stdlib::embeddedModuleSource("prelude");
    loader.load(std::move(prelude));

    fs::path p(path);
    std::error_code ec;
    ModuleSource entry;
    entry.key = fs::weakly_canonical(p, ec).string();
    entry.name = p.stem().string();
    entry.path = path;
    entry.file = p.filename().string();
    entry.folder = p.parent_path().string();
    entry.text = source;
    loader.load(std::move(entry));
    // Syntax and import errors first: checking a partial tree would only
    // add errors that are consequences of them.
    if (diags.hasErrors()) return std::nullopt;

    std::unique_ptr<Semantics> sem = checkProgram(loader.modules, diags);
    if (diags.hasErrors()) return std::nullopt;
    return generateProgram(*sem);
}

std::optional<vm::Program> compileProgram(const std::string& entryPath, Diagnostics& diags) {
    std::string source;
    if (!readFile(entryPath, source)) {
        diags.error(entryPath, "", Loc{1, 1}, "cannot read file");
        return std::nullopt;
    }
    return compileSource(entryPath, source, diags);
}

}  // namespace nido::compiler
