// The verifier's table checks: type table, classes (hierarchy, field
// layouts, vtables, constructors, interface implementations), function
// headers, modules, globals and constants. Each check relies only on what an
// earlier one established, so later code can index without bounds checks.
// The bytecode itself is checked in verifier_code.cpp; the rules are written
// out in docs/bytecode.md.
#include "vm/verifier.hpp"

#include <array>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include <fmt/format.h>

#include "vm/type_rules.hpp"
#include "vm/verifier_code.hpp"

namespace nido::vm {
namespace {

// Frame slots and operand stack entries are addressed with u16 operands.
constexpr size_t kMaxSlots = 65535;

// Classes the VM itself instantiates (contract: run-time error messages);
// each must be a concrete Error subclass constructed from one string.
constexpr std::array<std::string_view, 11> kBuiltinErrors = {
    "ArithmeticError", "IndexError",      "KeyError",       "NullError",          "CastError",        "ValueError",
    "IOError",         "PermissionError", "AssertionError", "StackOverflowError", "OutOfMemoryError",
};

class ProgramVerifier {
public:
    ProgramVerifier(const Program& p, std::string& error) : p_(p), types_(p), error_(error) {}

    bool run() {
        return types_.load(error_) && checkClassShapes() && checkClassGraph() && findErrorClass() && checkFunctions() &&
               checkClassMembers() && checkBuiltinErrors() && checkModules() && checkGlobalsAndConstants() &&
               checkCode();
    }

private:
    bool fail(std::string what) {
        error_ = std::move(what);
        return false;
    }
    bool classFail(uint32_t c, std::string_view what) {
        return fail(
            fmt::format("in class {}{}: {}", printable(p_.classes[c].name), entryAt(p_.offsets.classes, c), what));
    }
    bool fnFail(uint32_t f, std::string_view what) {
        return fail(
            fmt::format("in {}{}: {}", printable(p_.functions[f].name), entryAt(p_.offsets.functions, f), what));
    }
    bool isInterface(uint32_t c) const { return p_.classes[c].flags & kClassInterface; }
    bool validType(uint32_t t) const { return t < p_.types.size(); }
    // A type a value can have: in range and not void.
    bool valueType(uint32_t t) const { return validType(t) && types_.of(t) != kTypeVoid; }

    // Indices, flags and field types of every class, before any walk.
    bool checkClassShapes() {
        const size_t n = p_.classes.size();
        for (uint32_t c = 0; c < n; c++) {
            const ClassDesc& cd = p_.classes[c];
            if (cd.module >= p_.modules.size()) return classFail(c, fmt::format("module {} out of range", cd.module));
            if (cd.flags & ~(kClassAbstract | kClassInterface)) return classFail(c, "unknown flags");
            if (cd.super != kNone && cd.super >= n) {
                return classFail(c, fmt::format("superclass {} out of range", cd.super));
            }
            for (uint32_t i : cd.interfaces) {
                if (i >= n) return classFail(c, fmt::format("interface {} out of range", i));
                if (!isInterface(i)) {
                    return classFail(
                        c, fmt::format("implements {}, which is not an interface", printable(p_.classes[i].name)));
                }
            }
            if (isInterface(c)) {
                if (cd.super != kNone) return classFail(c, "an interface has no superclass");
                if (cd.constructor != kNone) return classFail(c, "an interface has no constructor");
                if (!cd.fields.empty()) return classFail(c, "an interface has no fields");
            } else if (cd.super != kNone && isInterface(cd.super)) {
                return classFail(c, fmt::format("superclass {} is an interface", printable(p_.classes[cd.super].name)));
            }
            for (const FieldDesc& f : cd.fields) {
                if (!valueType(f.type)) {
                    return classFail(c, fmt::format("field {} has bad type {}", printable(f.name), f.type));
                }
            }
        }
        return true;
    }

    // Superclass chains and interface extension are acyclic; computes each
    // class's field layout (inherited fields first).
    bool checkClassGraph() {
        const size_t n = p_.classes.size();
        std::vector<uint8_t> state(n, 0);  // 0 unseen, 1 on the current chain, 2 done
        std::vector<uint32_t> chain;
        layout_.assign(n, 0);
        for (uint32_t c = 0; c < n; c++) {
            chain.clear();
            uint32_t x = c;
            while (x != kNone && state[x] == 0) {
                state[x] = 1;
                chain.push_back(x);
                x = p_.classes[x].super;
            }
            if (x != kNone && state[x] == 1) return classFail(x, "superclass chain is cyclic");
            // Fill layouts from the root end of the chain down.
            for (size_t i = chain.size(); i-- > 0;) {
                uint32_t k = chain[i], s = p_.classes[k].super;
                uint64_t base = s == kNone ? 0 : uint64_t(layout_[s]) + p_.classes[s].fields.size();
                if (base > kMaxSlots) return classFail(k, "more than 65535 inherited fields");
                layout_[k] = uint32_t(base);
                state[k] = 2;
            }
        }
        // Interfaces extend interfaces: iterative depth-first search.
        std::fill(state.begin(), state.end(), 0);
        std::vector<std::pair<uint32_t, size_t>> stack;
        for (uint32_t root = 0; root < n; root++) {
            if (!isInterface(root) || state[root] != 0) continue;
            stack.assign(1, {root, 0});
            state[root] = 1;
            while (!stack.empty()) {
                auto& [i, next] = stack.back();
                const auto& ext = p_.classes[i].interfaces;
                if (next == ext.size()) {
                    state[i] = 2;
                    stack.pop_back();
                    continue;
                }
                uint32_t j = ext[next++];
                if (state[j] == 1) return classFail(j, "interface extends itself");
                if (state[j] == 0) {
                    state[j] = 1;
                    stack.push_back({j, 0});
                }
            }
        }
        return true;
    }

    // The class named "Error" in the module named "prelude": handlers, THROW
    // and the run-time errors need it, and the VM reads its message field.
    bool findErrorClass() {
        for (uint32_t c = 0; c < p_.classes.size(); c++) {
            const ClassDesc& cd = p_.classes[c];
            if (cd.name != "Error" || p_.modules[cd.module].name != "prelude") continue;
            if (errorClass_ != kNone) return classFail(c, "declared twice in the prelude");
            errorClass_ = c;
        }
        if (errorClass_ == kNone) return fail("in program: no class Error in a module named prelude");
        const ClassDesc& e = p_.classes[errorClass_];
        if (e.flags != 0 || e.super != kNone) return classFail(errorClass_, "must be a concrete root class");
        if (e.fields.empty() || e.fields[0].name != "message" || types_.of(e.fields[0].type) != kTypeString) {
            return classFail(errorClass_, "first field must be message: string");
        }
        return true;
    }

    // Function headers: flags, owner, types, limits, handlers and lines.
    bool checkFunctions() {
        for (uint32_t f = 0; f < p_.functions.size(); f++) {
            const FunctionDesc& fn = p_.functions[f];
            if (fn.module >= p_.modules.size()) return fnFail(f, fmt::format("module {} out of range", fn.module));
            if (fn.flags & ~(kFnMethod | kFnAbstract | kFnLambda | kFnInit | kFnConstructor)) {
                return fnFail(f, "unknown flags");
            }
            if (fn.owner != kNone && fn.owner >= p_.classes.size()) {
                return fnFail(f, fmt::format("owner class {} out of range", fn.owner));
            }
            const bool receiver = fn.flags & (kFnMethod | kFnConstructor);
            if ((fn.flags & kFnAbstract) &&
                (fn.flags & (kFnLambda | kFnInit | kFnConstructor) || !(fn.flags & kFnMethod))) {
                return fnFail(f, "only a method may be abstract");
            }
            if ((fn.flags & kFnInit) && (receiver || (fn.flags & kFnLambda))) {
                return fnFail(f, "an initialiser is a plain function");
            }
            if ((fn.flags & kFnLambda) && receiver) return fnFail(f, "a lambda is not a method");
            if (!fn.captures.empty() && !(fn.flags & kFnLambda)) return fnFail(f, "only lambdas have captures");
            for (size_t i = 0; i < fn.params.size(); i++) {
                if (!valueType(fn.params[i])) {
                    return fnFail(f, fmt::format("parameter {} has bad type {}", i, fn.params[i]));
                }
            }
            if (!validType(fn.ret)) return fnFail(f, fmt::format("bad result type {}", fn.ret));
            for (size_t i = 0; i < fn.locals.size(); i++) {
                if (!valueType(fn.locals[i])) {
                    return fnFail(f, fmt::format("local {} has bad type {}", i, fn.locals[i]));
                }
            }
            for (size_t i = 0; i < fn.captures.size(); i++) {
                if (!valueType(fn.captures[i])) {
                    return fnFail(f, fmt::format("capture {} has bad type {}", i, fn.captures[i]));
                }
            }
            if ((fn.flags & kFnInit) && (!fn.params.empty() || fn.ret != kTypeVoid)) {
                return fnFail(f, "an initialiser takes nothing and returns void");
            }
            if (receiver) {
                if (fn.owner == kNone) return fnFail(f, "a method needs an owner class");
                if (fn.params.empty() || types_.of(fn.params[0]) != types_.classType(fn.owner)) {
                    return fnFail(f, fmt::format("receiver must be of type {}", printable(p_.classes[fn.owner].name)));
                }
            }
            if (fn.locals.size() < fn.params.size()) return fnFail(f, "fewer locals than parameters");
            for (size_t i = 0; i < fn.params.size(); i++) {
                if (types_.of(fn.locals[i]) != types_.of(fn.params[i])) {
                    return fnFail(f, fmt::format("local {} differs from parameter {}", i, i));
                }
            }
            if (fn.locals.size() > kMaxSlots) return fnFail(f, "more than 65535 locals");
            if (fn.maxStack > kMaxSlots) return fnFail(f, "maxStack above 65535");
            if (fn.code.size() > kMaxCodeSize) return fnFail(f, "code larger than 16 MiB");
            if (fn.flags & kFnAbstract) {
                if (!fn.code.empty() || !fn.handlers.empty()) return fnFail(f, "an abstract function has no code");
            } else if (fn.code.empty()) {
                return fnFail(f, "no code");
            }
            if (!checkHandlersAndLines(f)) return false;
        }
        return true;
    }

    // Ranges only; that the offsets are instruction starts is checked with
    // the code.
    bool checkHandlersAndLines(uint32_t f) {
        const FunctionDesc& fn = p_.functions[f];
        for (size_t h = 0; h < fn.handlers.size(); h++) {
            const Handler& hd = fn.handlers[h];
            if (hd.start >= hd.end || hd.end > fn.code.size() || hd.target >= fn.code.size()) {
                return fnFail(
                    f, fmt::format("handler {} range [{}, {}) or target {} invalid", h, hd.start, hd.end, hd.target));
            }
            if (hd.catchClass != kNone &&
                (hd.catchClass >= p_.classes.size() || !types_.isSubclass(hd.catchClass, errorClass_))) {
                return fnFail(f, fmt::format("handler {} catches class {}, which is not an Error", h, hd.catchClass));
            }
        }
        for (size_t i = 0; i < fn.lines.size(); i++) {
            if (fn.lines[i].pc >= fn.code.size() || (i > 0 && fn.lines[i].pc < fn.lines[i - 1].pc)) {
                return fnFail(f, fmt::format("line entry {} out of range or out of order", i));
            }
        }
        return true;
    }

    // Same parameters after the receiver and the same result.
    bool sameSignature(const FunctionDesc& a, const FunctionDesc& b) const {
        if (a.params.size() != b.params.size() || types_.of(a.ret) != types_.of(b.ret)) return false;
        for (size_t i = 1; i < a.params.size(); i++) {
            if (types_.of(a.params[i]) != types_.of(b.params[i])) return false;
        }
        return true;
    }

    bool checkClassMembers() {
        for (uint32_t c = 0; c < p_.classes.size(); c++) {
            if (!checkVtable(c)) return false;
            if (isInterface(c)) continue;
            if (!checkConstructor(c) || !checkImplements(c)) return false;
        }
        return true;
    }

    // Slots start with the superclass's, overriding keeps the signature, and
    // a concrete class has code in every slot. Leaves names_ as c's methods.
    bool checkVtable(uint32_t c) {
        const ClassDesc& cd = p_.classes[c];
        const bool iface = isInterface(c), concrete = !(cd.flags & (kClassAbstract | kClassInterface));
        const ClassDesc* parent = cd.super == kNone ? nullptr : &p_.classes[cd.super];
        if (parent && cd.methods.size() < parent->methods.size()) {
            return classFail(c, "vtable shorter than the superclass's");
        }
        names_.clear();
        for (size_t s = 0; s < cd.methods.size(); s++) {
            uint32_t m = cd.methods[s];
            if (m >= p_.functions.size()) return classFail(c, fmt::format("method {} out of range", m));
            const FunctionDesc& fn = p_.functions[m];
            std::string where = fmt::format("method {} ({})", s, printable(fn.name));
            if ((fn.flags & (kFnMethod | kFnConstructor)) != kFnMethod) return classFail(c, where + " is not a method");
            if (iface ? fn.owner != c || !(fn.flags & kFnAbstract)
                      : isInterface(fn.owner) || !types_.isSubclass(c, fn.owner)) {
                {
                    return classFail(c, where + (iface ? " must be an abstract method of the interface"
                                                       : " belongs to a class that is not an ancestor"));
                }
            }
            if (concrete && (fn.flags & kFnAbstract)) return classFail(c, where + " is abstract in a concrete class");
            if (!names_.emplace(methodName(fn), m).second) return classFail(c, where + " repeats a method name");
            if (parent && s < parent->methods.size() && !sameSignature(fn, p_.functions[parent->methods[s]])) {
                return classFail(c, where + " does not match the signature of the superclass's slot");
            }
        }
        return true;
    }

    bool checkConstructor(uint32_t c) {
        const ClassDesc& cd = p_.classes[c];
        if (cd.constructor >= p_.functions.size()) return classFail(c, "constructor missing or out of range");
        const FunctionDesc& fn = p_.functions[cd.constructor];
        if (!(fn.flags & kFnConstructor) || fn.owner != c || fn.ret != kTypeVoid) {
            return classFail(
                c, fmt::format("constructor {} is not a constructor of this class returning void", printable(fn.name)));
        }
        return true;
    }

    // Every interface method reachable from c (its own interfaces, its
    // ancestors', and the interfaces those extend) has an implementation of
    // the same signature in c's vtable. An abstract class may leave one to
    // its subclasses, which are checked in turn.
    bool checkImplements(uint32_t c) {
        const bool concrete = !(p_.classes[c].flags & kClassAbstract);
        std::vector<uint32_t> todo;
        for (uint32_t x = c; x != kNone; x = p_.classes[x].super) {
            todo.insert(todo.end(), p_.classes[x].interfaces.begin(), p_.classes[x].interfaces.end());
        }
        std::unordered_set<uint32_t> visited;
        while (!todo.empty()) {
            uint32_t i = todo.back();
            todo.pop_back();
            if (!visited.insert(i).second) continue;
            const ClassDesc& id = p_.classes[i];
            todo.insert(todo.end(), id.interfaces.begin(), id.interfaces.end());
            for (uint32_t m : id.methods) {
                const FunctionDesc& want = p_.functions[m];
                auto it = names_.find(methodName(want));
                if (it == names_.end()) {
                    if (concrete) return classFail(c, fmt::format("does not implement {}", printable(want.name)));
                    continue;
                }
                if (!sameSignature(p_.functions[it->second], want)) {
                    return classFail(c, fmt::format("{} does not match the signature of {}",
                                                    printable(p_.functions[it->second].name), printable(want.name)));
                }
            }
        }
        return true;
    }

    bool checkBuiltinErrors() {
        auto constructedFromString = [&](uint32_t c) {
            const FunctionDesc& ctor = p_.functions[p_.classes[c].constructor];
            return ctor.params.size() == 2 && types_.of(ctor.params[1]) == kTypeString;
        };
        if (!constructedFromString(errorClass_)) return classFail(errorClass_, "constructor must take one string");
        std::array<bool, kBuiltinErrors.size()> found{};
        for (uint32_t c = 0; c < p_.classes.size(); c++) {
            const ClassDesc& cd = p_.classes[c];
            if (p_.modules[cd.module].name != "prelude") continue;
            bool builtin = false;
            for (size_t i = 0; i < kBuiltinErrors.size(); i++) {
                if (cd.name != kBuiltinErrors[i]) continue;
                if (found[i]) return classFail(c, "declared twice in the prelude");
                found[i] = builtin = true;
            }
            if (!builtin) continue;
            if (cd.flags != 0 || !types_.isSubclass(c, errorClass_) || !constructedFromString(c)) {
                return classFail(c, "a built-in error must be a concrete Error subclass constructed from one string");
            }
        }
        // The VM throws each of them, so the prelude must declare them all.
        uint32_t prelude = p_.classes[errorClass_].module;
        for (size_t i = 0; i < kBuiltinErrors.size(); i++) {
            if (!found[i])
                return fail(fmt::format("in module prelude{}: no class {}", entryAt(p_.offsets.modules, prelude),
                                        kBuiltinErrors[i]));
        }
        return true;
    }

    bool checkModules() {
        for (uint32_t m = 0; m < p_.modules.size(); m++) {
            const ModuleDesc& md = p_.modules[m];
            auto modFail = [&](std::string_view what) {
                return fail(
                    fmt::format("in module {}{}: {}", printable(md.name), entryAt(p_.offsets.modules, m), what));
            };
            for (uint32_t i : md.imports) {
                if (i >= p_.modules.size()) return modFail(fmt::format("import {} out of range", i));
            }
            if (md.init != kNone) {
                if (md.init >= p_.functions.size()) return modFail(fmt::format("initialiser {} out of range", md.init));
                const FunctionDesc& fn = p_.functions[md.init];
                if (!(fn.flags & kFnInit) || fn.module != m) {
                    return modFail("initialiser is not this module's kFnInit function");
                }
            }
            if (m == p_.entryModule() && md.main == kNone) return modFail("the program's last module has no main");
            if (md.main != kNone) {
                if (md.main >= p_.functions.size()) return modFail(fmt::format("main {} out of range", md.main));
                const FunctionDesc& fn = p_.functions[md.main];
                uint32_t ret = types_.of(fn.ret);
                bool argsOk = fn.params.empty() ||
                              (fn.params.size() == 1 && types_.of(fn.params[0]) == types_.arrayOf(kTypeString));
                if (fn.flags != 0 || fn.module != m || !argsOk || (ret != kTypeVoid && ret != kTypeInt)) {
                    return modFail("main must be a plain function of () or ([string]) returning void or int");
                }
            }
        }
        return true;
    }

    bool checkGlobalsAndConstants() {
        for (size_t i = 0; i < p_.globals.size(); i++) {
            const GlobalDesc& g = p_.globals[i];
            if (g.module >= p_.modules.size() || !valueType(g.type)) {
                return fail(fmt::format("in global {}{}: bad module or type", printable(g.name),
                                        entryAt(p_.offsets.globals, i)));
            }
        }
        for (size_t k = 0; k < p_.constants.size(); k++) {
            ConstKind kind = p_.constants[k].kind;
            if (kind != ConstKind::Int && kind != ConstKind::Float && kind != ConstKind::String) {
                return fail(
                    fmt::format("in constant {}{}: unknown kind {}", k, entryAt(p_.offsets.constants, k), int(kind)));
            }
        }
        return true;
    }

    bool checkCode() {
        CodeContext ctx{p_, types_, errorClass_, layout_};
        for (uint32_t f = 0; f < p_.functions.size(); f++) {
            if (!(p_.functions[f].flags & kFnAbstract) && !verifyCode(ctx, f, error_)) return false;
        }
        return true;
    }

    const Program& p_;
    TypeModel types_;
    std::string& error_;
    uint32_t errorClass_ = kNone;
    std::vector<uint32_t> layout_;
    std::unordered_map<std::string_view, uint32_t> names_;  // method name -> function, for the class being checked
};

}  // namespace

bool verifyProgram(const Program& p, std::string& error) {
    error.clear();
    return ProgramVerifier(p, error).run();
}

}  // namespace nido::vm
