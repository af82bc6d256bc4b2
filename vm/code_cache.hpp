// The code cache: the object files the JIT made in earlier runs, kept on
// disk so that a later run of the same program gets the same native code
// back at once, without loading LLVM (docs/jit.md, "The code cache").
//
// An entry is the relocatable object file of one compile (jit_refs.hpp:
// its addresses of the run are symbols) and the name of its function. Its
// key is a SHA-256 over everything the code depends on: the nido
// executable's build ID, the plugin file, the CPU, the whole program (its
// module-file encoding), the function, the OSR entry and whether the run
// is budgeted. A run that finds its key loads the entry with
// native_object.hpp; any other gets the plugin to compile and keeps the
// result.
//
// The folder is trusted as the nido executable is: the cache loads native
// code from it. Entries and the folder must belong to the user running
// nido and be writable by no one else; anything else is ignored. Each
// entry carries a SHA-256 of itself, so a damaged entry is a miss, never
// a crash.
#pragma once

#include <string>
#include <vector>

#include "vm/jit_plugin.hpp"
#include "vm/tiering.hpp"

namespace nido::vm {

// The folder the nido command uses: $NIDO_JIT_CACHE, unless it is "off"
// (then none: ""), else $XDG_CACHE_HOME/nido/jit, else
// $HOME/.cache/nido/jit; "" when none can be named.
std::string defaultCodeCacheFolder();

// The code for request: from the cache in folder, else compiled with the
// plugin (and then kept there). folder "": no cache. From one thread at a
// time, as compileWithPlugin.
PluginCompile compileCode(const JitRequest& request, const std::string& folder);

// A program's hot list: every compile its last run asked for. A run with
// a code cache asks for them all as it starts, not one by one as each
// gets hot: code in the cache is there from the first call, and code a
// run asked for only near its end is compiled early in the next and taken
// from the cache in the one after.
// It is an entry like the others, under the program's key.
// Empty when there is none, or it is damaged or names no code of program.
std::vector<HotRequest> readHotList(const LinkedProgram& program, bool budgeted, const std::string& folder);
void storeHotList(const LinkedProgram& program, bool budgeted, const std::string& folder,
                  const std::vector<HotRequest>& list);

}  // namespace nido::vm
