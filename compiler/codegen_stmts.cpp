// Statements: variables and assignment (compound forms evaluate their
// object and index once), if, loops (a fresh loop variable, and a fresh box
// when captured, per iteration), return, throw, and try/catch/finally.
//
// finally is copied onto every exit of its try (normal end, return, break,
// continue, and a catch-all handler that rethrows). A try's protected range
// is kept as segments so that the copies emitted on the way out are not
// protected by the try they leave, but are by the tries around it.
#include "compiler/checker.hpp"
#include "compiler/codegen_function.hpp"
#include "vm/builtins.hpp"

namespace nido::compiler {

using vm::Op;

void FunctionGen::genStmts(std::vector<StmtPtr>& stmts) {
    for (auto& s : stmts) {
        if (!em_.reachable()) return;  // the rest of the block is dead code
        genStmt(*s);
    }
}

void FunctionGen::genStmt(Stmt& s) {
    em_.line(s.loc.line);
    switch (s.kind) {
    case StmtKind::Block: genStmts(static_cast<Block&>(s).stmts); break;
    case StmtKind::VarDecl: {
        auto& d = static_cast<VarDecl&>(s);
        genExprAs(*d.init, d.local->type);
        initVar(d.local);
        break;
    }
    case StmtKind::Assign: genAssign(static_cast<Assign&>(s)); break;
    case StmtKind::ExprStmt: {
        Expr& e = *static_cast<ExprStmt&>(s).expr;
        genExpr(e);
        if (!e.type->is(TypeKind::Void)) em_.emit(Op::POP);
        break;
    }
    case StmtKind::If: genIf(static_cast<If&>(s)); break;
    case StmtKind::While: genWhile(static_cast<While&>(s)); break;
    case StmtKind::ForRange: genForRange(static_cast<ForRange&>(s)); break;
    case StmtKind::ForEach: genForEach(static_cast<ForEach&>(s)); break;
    case StmtKind::Break:
    case StmtKind::Continue: {
        size_t loop = exits_.size() - 1;
        while (exits_[loop].region) loop--;  // the checker saw an enclosing loop
        Emitter::Label target = s.kind == StmtKind::Break ? exits_[loop].breakLabel : exits_[loop].continueLabel;
        genExitThrough(loop + 1);
        em_.jump(Op::JUMP, target);
        break;
    }
    case StmtKind::Return: genReturn(static_cast<Return&>(s)); break;
    case StmtKind::Throw:
        genExpr(*static_cast<Throw&>(s).value);
        em_.emit(Op::THROW);
        break;
    case StmtKind::Try: genTry(static_cast<Try&>(s)); break;
    }
}

void FunctionGen::genIf(If& s) {
    Emitter::Label elseL = em_.newLabel(), endL = em_.newLabel();
    genExpr(*s.cond);
    em_.jump(Op::JUMP_IF_FALSE, elseL);
    genStmts(s.then->stmts);
    if (s.otherwise) {
        em_.jump(Op::JUMP, endL);
        em_.bind(elseL);
        genStmt(*s.otherwise);
        em_.bind(endL);
    } else {
        em_.bind(elseL);
    }
}

void FunctionGen::genLoopBody(Block& body, Emitter::Label breakL, Emitter::Label continueL) {
    exits_.push_back({nullptr, breakL, continueL});
    genStmts(body.stmts);
    exits_.pop_back();
}

void FunctionGen::genWhile(While& s) {
    Emitter::Label head = em_.newLabel(), end = em_.newLabel();
    em_.bind(head);
    if (!isEndlessLoop(s)) {
        genExpr(*s.cond);
        em_.jump(Op::JUMP_IF_FALSE, end);
    }
    genLoopBody(*s.body, end, head);
    em_.jump(Op::JUMP, head);
    em_.bind(end);
}

// Bounds are evaluated once. An inclusive range stops at hi before
// incrementing, so `..= MAX` does not wrap around. The loop variable is a
// copy of the counter made each iteration (in a new box when a lambda
// captures it): assigning it does not steer the loop, and closures see
// their own iteration's value.
void FunctionGen::genForRange(ForRange& s) {
    uint16_t i = newTemp(vm::kTypeInt), hi = newTemp(vm::kTypeInt);
    genExpr(*s.lo);
    em_.emit(Op::STORE_LOCAL, i);
    genExpr(*s.hi);
    em_.emit(Op::STORE_LOCAL, hi);
    Emitter::Label head = em_.newLabel(), cont = em_.newLabel(), end = em_.newLabel();
    em_.bind(head);
    em_.emit(Op::LOAD_LOCAL, i);
    em_.emit(Op::LOAD_LOCAL, hi);
    em_.emit(s.inclusive ? Op::ILE : Op::ILT);
    em_.jump(Op::JUMP_IF_FALSE, end);
    em_.emit(Op::LOAD_LOCAL, i);
    initVar(s.local);
    genLoopBody(*s.body, end, cont);
    em_.bind(cont);
    if (s.inclusive) {
        em_.emit(Op::LOAD_LOCAL, i);
        em_.emit(Op::LOAD_LOCAL, hi);
        em_.emit(Op::IEQ);
        em_.jump(Op::JUMP_IF_TRUE, end);
    }
    em_.emit(Op::LOAD_LOCAL, i);
    em_.emit(Op::PUSH_INT, 1);
    em_.emit(Op::IADD);
    em_.emit(Op::STORE_LOCAL, i);
    em_.jump(Op::JUMP, head);
    em_.bind(end);
}

// Arrays by index, re-reading len() each iteration; maps over a keys()
// snapshot (insertion order); strings byte by byte. A fresh variable per
// iteration, as in genForRange.
void FunctionGen::genForEach(ForEach& s) {
    const Type* t = s.iterable->type;
    bool isString = t->is(TypeKind::String);
    const Type* seqType = t->is(TypeKind::Map) ? pg_.types().arrayOf(t->elem) : t;
    uint16_t seq = newTemp(pg_.type(seqType)), idx = newTemp(vm::kTypeInt);
    genExpr(*s.iterable);
    if (t->is(TypeKind::Map)) em_.emit(Op::CALL_BUILTIN, uint32_t(vm::BuiltinId::MAP_KEYS), 0, 1, 1);
    em_.emit(Op::STORE_LOCAL, seq);
    em_.emit(Op::PUSH_INT, 0);
    em_.emit(Op::STORE_LOCAL, idx);
    Emitter::Label head = em_.newLabel(), cont = em_.newLabel(), end = em_.newLabel();
    em_.bind(head);
    em_.emit(Op::LOAD_LOCAL, idx);
    em_.emit(Op::LOAD_LOCAL, seq);
    em_.emit(Op::CALL_BUILTIN, uint32_t(isString ? vm::BuiltinId::STRING_LEN : vm::BuiltinId::ARRAY_LEN), 0, 1, 1);
    em_.emit(Op::ILT);
    em_.jump(Op::JUMP_IF_FALSE, end);
    em_.emit(Op::LOAD_LOCAL, seq);
    em_.emit(Op::LOAD_LOCAL, idx);
    em_.emit(isString ? Op::STRING_GET : Op::ARRAY_GET);
    initVar(s.local);
    genLoopBody(*s.body, end, cont);
    em_.bind(cont);
    em_.emit(Op::LOAD_LOCAL, idx);
    em_.emit(Op::PUSH_INT, 1);
    em_.emit(Op::IADD);
    em_.emit(Op::STORE_LOCAL, idx);
    em_.jump(Op::JUMP, head);
    em_.bind(end);
}

// Emits what leaving exits_[keep..] requires, innermost first: each try
// left stops protecting, and its finally (if any) runs with only the
// exits outside it in force. Protection resumes after the exit sequence.
void FunctionGen::genExitThrough(size_t keep) {
    std::vector<Exit> saved = exits_;
    std::vector<TryRegion*> left;
    for (size_t i = saved.size(); i-- > keep;) {
        TryRegion* r = saved[i].region;
        if (!r) continue;
        r->suspend(em_.pc());
        left.push_back(r);
        if (r->finally) {
            exits_.assign(saved.begin(), saved.begin() + long(i));
            genStmts(r->finally->stmts);
        }
    }
    exits_ = std::move(saved);
    for (TryRegion* r : left) r->resume(em_.pc());
}

void FunctionGen::genReturn(Return& s) {
    bool finallies = false;
    for (const Exit& e : exits_) finallies |= e.region && e.region->finally;
    if (!s.value) {
        if (finallies) genExitThrough(0);
        em_.emit(Op::RETURN_VOID);
        return;
    }
    genExprAs(*s.value, fn_.ret);
    if (finallies) {
        // The value is computed inside the try; the finally copies run after.
        uint16_t tmp = newTemp(pg_.type(fn_.ret));
        em_.emit(Op::STORE_LOCAL, tmp);
        genExitThrough(0);
        em_.emit(Op::LOAD_LOCAL, tmp);
    }
    em_.emit(Op::RETURN);
}

void FunctionGen::genTry(Try& s) {
    Block* fin = s.finally.get();
    TryRegion body;
    body.finally = fin;
    body.resume(em_.pc());
    exits_.push_back({&body, 0, 0});
    genStmts(s.body->stmts);
    exits_.pop_back();
    body.suspend(em_.pc());

    Emitter::Label end = em_.newLabel();
    if (fin) genStmts(fin->stmts);
    em_.jump(Op::JUMP, end);

    // A body that emitted no instruction cannot throw: no handlers, and no
    // handler code nobody could reach.
    std::vector<std::pair<uint32_t, uint32_t>> finallyRanges = body.segments;
    if (!body.segments.empty()) {
        for (Catch& c : s.catches) {
            Emitter::Label h = em_.newLabel();
            em_.bindHandler(h);
            for (auto [from, to] : body.segments) em_.addHandler({from, to, em_.labelPc(h), c.cls->index});
            em_.line(c.loc.line);
            initVar(c.local);
            TryRegion region;
            region.finally = fin;
            if (fin) {
                region.resume(em_.pc());
                exits_.push_back({&region, 0, 0});
            }
            genStmts(c.body->stmts);
            if (fin) {
                exits_.pop_back();
                region.suspend(em_.pc());
                finallyRanges.insert(finallyRanges.end(), region.segments.begin(), region.segments.end());
                genStmts(fin->stmts);
            }
            em_.jump(Op::JUMP, end);
        }
    }
    if (fin && !finallyRanges.empty()) {
        Emitter::Label h = em_.newLabel();
        em_.bindHandler(h);
        uint16_t err = newTemp(pg_.type(pg_.errorClass()->type));
        em_.emit(Op::STORE_LOCAL, err);
        genStmts(fin->stmts);
        em_.emit(Op::LOAD_LOCAL, err);
        em_.emit(Op::THROW);
        for (auto [from, to] : finallyRanges) em_.addHandler({from, to, em_.labelPc(h), vm::kNone});
    }
    em_.bind(end);
}

void FunctionGen::genAssign(Assign& a) {
    Expr& target = *a.target;
    Expr& value = *a.value;
    bool set = a.op == AssignOp::Set;
    // With the object on the stack: store into field f.
    auto fieldStore = [&](const FieldSym* f) {
        if (set) {
            genExprAs(value, f->type);
        } else {
            em_.emit(Op::DUP);
            em_.emit(Op::GET_FIELD, f->owner->index, f->index);
            genCompound(a.op, f->type, value);
        }
        em_.emit(Op::SET_FIELD, f->owner->index, f->index);
    };
    auto globalStore = [&](const GlobalSym* g) {
        if (set) {
            genExprAs(value, g->type);
        } else {
            em_.emit(Op::LOAD_GLOBAL, g->index);
            genCompound(a.op, g->type, value);
        }
        em_.emit(Op::STORE_GLOBAL, g->index);
    };
    switch (target.kind) {
    case ExprKind::Ident: {
        const Resolved& ref = static_cast<Ident&>(target).ref;
        if (ref.kind == RefKind::Local) {
            const LocalVar* v = ref.local;
            storeVar(v, [&] {
                if (set) {
                    genExprAs(value, v->type);
                } else {
                    loadVar(v);
                    genCompound(a.op, v->type, value);
                }
            });
        } else if (ref.kind == RefKind::Global) {
            globalStore(ref.global);
        } else {
            pushThis();
            fieldStore(ref.field);
        }
        break;
    }
    case ExprKind::Member: {
        auto& m = static_cast<Member&>(target);
        if (m.ref.kind == RefKind::Global) {
            globalStore(m.ref.global);
        } else {
            genExpr(*m.object);
            fieldStore(m.ref.field);
        }
        break;
    }
    default: {
        auto& ix = static_cast<Index&>(target);
        const Type* ot = ix.object->type;
        bool isMap = ot->is(TypeKind::Map);
        const Type* keyType = isMap ? ot->elem : pg_.types().intType();
        const Type* elemType = isMap ? ot->value : ot->elem;
        Op get = isMap ? Op::MAP_GET : Op::ARRAY_GET, put = isMap ? Op::MAP_SET : Op::ARRAY_SET;
        if (set) {
            genExpr(*ix.object);
            genExprAs(*ix.index, keyType);
            genExprAs(value, elemType);
        } else {
            uint16_t obj = newTemp(pg_.type(ot)), key = newTemp(pg_.type(keyType));
            genExpr(*ix.object);
            em_.emit(Op::STORE_LOCAL, obj);
            genExprAs(*ix.index, keyType);
            em_.emit(Op::STORE_LOCAL, key);
            em_.emit(Op::LOAD_LOCAL, obj);
            em_.emit(Op::LOAD_LOCAL, key);
            em_.emit(Op::LOAD_LOCAL, obj);
            em_.emit(Op::LOAD_LOCAL, key);
            em_.emit(get);
            genCompound(a.op, elemType, value);
        }
        em_.emit(put);
        break;
    }
    }
}

}  // namespace nido::compiler
