// Expressions: literals, variables (boxes for captured ones, captures in
// lambdas), operators (I2F inserted where ints widen, str conversions for
// concatenation), indexing, literals of arrays and maps, lambdas and every
// kind of call the checker chose.
#include "compiler/codegen_function.hpp"
#include "vm/builtins.hpp"

namespace nido::compiler {

using vm::Op;

// ---- Variables ------------------------------------------------------------------

void FunctionGen::pushThis() {
    if (fn_.hasReceiver()) {
        em_.emit(Op::LOAD_LOCAL, 0);
        return;
    }
    const FunctionSym* root = &fn_;
    while (root->enclosing) root = root->enclosing;
    em_.emit(Op::LOAD_CAPTURE, uint32_t(fn_.captureIndex(root->thisVar)));
}

void FunctionGen::pushBox(const LocalVar* v) {
    if (v->owner == &fn_)
        em_.emit(Op::LOAD_LOCAL, v->slot);
    else
        em_.emit(Op::LOAD_CAPTURE, uint32_t(fn_.captureIndex(v)));
}

void FunctionGen::loadVar(const LocalVar* v) {
    if (v->isThis) {
        pushThis();
    } else if (v->captured) {
        pushBox(v);
        em_.emit(Op::BOX_GET);
    } else {
        em_.emit(Op::LOAD_LOCAL, v->slot);
    }
}

void FunctionGen::storeVar(const LocalVar* v, const std::function<void()>& value) {
    if (v->captured) {
        pushBox(v);
        value();
        em_.emit(Op::BOX_SET);
    } else {
        value();
        em_.emit(Op::STORE_LOCAL, v->slot);
    }
}

void FunctionGen::initVar(const LocalVar* v) {
    if (v->captured) em_.emit(Op::BOX_NEW, pg_.boxType(v->type));
    em_.emit(Op::STORE_LOCAL, v->slot);
}

// ---- Expressions ----------------------------------------------------------------

void FunctionGen::genIntConst(int64_t v) {
    if (v >= INT32_MIN && v <= INT32_MAX)
        em_.emit(Op::PUSH_INT, uint32_t(int32_t(v)));
    else
        em_.emit(Op::CONST, pg_.constInt(v));
}

void FunctionGen::genExprAs(Expr& e, const Type* target) {
    genExpr(e);
    if (e.type->is(TypeKind::Int) && target->is(TypeKind::Float)) em_.emit(Op::I2F);
}

// The value of e as a string, the way str(e) would produce it.
void FunctionGen::genStringified(Expr& e) {
    genExpr(e);
    vm::BuiltinId conv;
    switch (e.type->kind) {
    case TypeKind::String: return;
    case TypeKind::Int: conv = vm::BuiltinId::STR_INT; break;
    case TypeKind::Float: conv = vm::BuiltinId::STR_FLOAT; break;
    case TypeKind::Bool: conv = vm::BuiltinId::STR_BOOL; break;
    default: conv = vm::BuiltinId::STR_REF; break;
    }
    em_.emit(Op::CALL_BUILTIN, uint32_t(conv), 0, 1, 1);
}

void FunctionGen::genExpr(Expr& e) {
    switch (e.kind) {
    case ExprKind::IntLit: genIntConst(static_cast<IntLit&>(e).value); break;
    case ExprKind::FloatLit: em_.emit(Op::CONST, pg_.constFloat(static_cast<FloatLit&>(e).value)); break;
    case ExprKind::StringLit: em_.emit(Op::CONST, pg_.constString(static_cast<StringLit&>(e).value)); break;
    case ExprKind::BoolLit: em_.emit(static_cast<BoolLit&>(e).value ? Op::PUSH_TRUE : Op::PUSH_FALSE); break;
    case ExprKind::NullLit: em_.emit(Op::PUSH_NULL); break;
    case ExprKind::Interp: {
        auto& parts = static_cast<Interp&>(e).parts;
        if (parts.empty()) {
            em_.emit(Op::CONST, pg_.constString(""));
            break;
        }
        for (size_t i = 0; i < parts.size(); i++) {
            genStringified(*parts[i]);
            if (i > 0) em_.emit(Op::CONCAT);
        }
        break;
    }
    case ExprKind::Ident: {
        const Resolved& ref = static_cast<Ident&>(e).ref;
        switch (ref.kind) {
        case RefKind::Local: loadVar(ref.local); break;
        case RefKind::Global: em_.emit(Op::LOAD_GLOBAL, ref.global->index); break;
        case RefKind::Field:
            pushThis();
            em_.emit(Op::GET_FIELD, ref.field->owner->index, ref.field->index);
            break;
        case RefKind::Function: em_.emit(Op::MAKE_CLOSURE, ref.function->index, 0, 0, 1); break;
        case RefKind::None: break;
        }
        break;
    }
    case ExprKind::This: pushThis(); break;
    case ExprKind::Super: break;  // only as a callee; the checker rejects the rest
    case ExprKind::Unary: {
        auto& u = static_cast<Unary&>(e);
        Expr& x = *u.operand;
        if (u.op == UnaryOp::Neg && x.kind == ExprKind::IntLit) {
            genIntConst(int64_t(0 - uint64_t(static_cast<IntLit&>(x).value)));  // wraps like INEG
            break;
        }
        if (u.op == UnaryOp::Neg && x.kind == ExprKind::FloatLit) {
            em_.emit(Op::CONST, pg_.constFloat(-static_cast<FloatLit&>(x).value));
            break;
        }
        genExpr(x);
        if (u.op == UnaryOp::Neg)
            em_.emit(x.type->is(TypeKind::Float) ? Op::FNEG : Op::INEG);
        else
            em_.emit(u.op == UnaryOp::Not ? Op::NOT : Op::INOT);
        break;
    }
    case ExprKind::Binary: genBinary(static_cast<Binary&>(e)); break;
    case ExprKind::Call: genCall(static_cast<Call&>(e)); break;
    case ExprKind::Member: {
        auto& m = static_cast<Member&>(e);
        switch (m.ref.kind) {
        case RefKind::Field:
            genExpr(*m.object);
            em_.emit(Op::GET_FIELD, m.ref.field->owner->index, m.ref.field->index);
            break;
        case RefKind::Global: em_.emit(Op::LOAD_GLOBAL, m.ref.global->index); break;
        case RefKind::Function: em_.emit(Op::MAKE_CLOSURE, m.ref.function->index, 0, 0, 1); break;
        default: break;
        }
        break;
    }
    case ExprKind::Index: {
        auto& ix = static_cast<Index&>(e);
        const Type* ot = ix.object->type;
        genExpr(*ix.object);
        if (ot->is(TypeKind::Map)) {
            genExprAs(*ix.index, ot->elem);
            em_.emit(Op::MAP_GET);
        } else {
            genExpr(*ix.index);
            em_.emit(ot->is(TypeKind::String) ? Op::STRING_GET : Op::ARRAY_GET);
        }
        break;
    }
    case ExprKind::ArrayLit: {
        auto& a = static_cast<ArrayLit&>(e);
        for (auto& el : a.elements) genExprAs(*el, e.type->elem);
        int n = int(a.elements.size());
        em_.emit(Op::NEW_ARRAY, pg_.type(e.type), uint32_t(n), n, 1);
        break;
    }
    case ExprKind::MapLit: {
        auto& m = static_cast<MapLit&>(e);
        for (auto& [k, v] : m.entries) {
            genExprAs(*k, e.type->elem);
            genExprAs(*v, e.type->value);
        }
        int n = int(m.entries.size());
        em_.emit(Op::NEW_MAP, pg_.type(e.type), uint32_t(n), 2 * n, 1);
        break;
    }
    case ExprKind::Lambda: genLambda(static_cast<Lambda&>(e)); break;
    case ExprKind::Is: {
        auto& is = static_cast<IsExpr&>(e);
        genExpr(*is.operand);
        em_.emit(Op::IS, is.targetClass->index);
        break;
    }
    case ExprKind::As: {
        auto& as = static_cast<AsExpr&>(e);
        genExpr(*as.operand);
        em_.emit(Op::AS, as.targetClass->index);
        break;
    }
    }
}

void FunctionGen::genBinary(Binary& e) {
    if (e.op == BinaryOp::And || e.op == BinaryOp::Or) {
        // a && b: a; DUP; JUMP_IF_FALSE end; POP; b; end:
        Emitter::Label end = em_.newLabel();
        genExpr(*e.left);
        em_.emit(Op::DUP);
        em_.jump(e.op == BinaryOp::And ? Op::JUMP_IF_FALSE : Op::JUMP_IF_TRUE, end);
        em_.emit(Op::POP);
        genExpr(*e.right);
        em_.bind(end);
        return;
    }
    OperandClass oc = classifyBinary(e.op, e.left->type, e.right->type);
    if (oc == OperandClass::Concat) {
        genStringified(*e.left);
        genStringified(*e.right);
    } else if (oc == OperandClass::Float) {
        genExprAs(*e.left, pg_.types().floatType());
        genExprAs(*e.right, pg_.types().floatType());
    } else {
        genExpr(*e.left);
        genExpr(*e.right);
    }
    genArith(e.op, oc);
}

// The instruction for op on operands of class oc (both already on the stack).
void FunctionGen::genArith(BinaryOp op, OperandClass oc) {
    struct Row {
        BinaryOp op;
        Op i, f, s, r;  // int (and bool), float, string, reference forms; NOP where none
    };
    static constexpr Row rows[] = {
        {BinaryOp::Eq, Op::IEQ, Op::FEQ, Op::SEQ, Op::REQ},
        {BinaryOp::Ne, Op::INE, Op::FNE, Op::SNE, Op::RNE},
        {BinaryOp::Lt, Op::ILT, Op::FLT, Op::SLT, Op::NOP},
        {BinaryOp::Le, Op::ILE, Op::FLE, Op::SLE, Op::NOP},
        {BinaryOp::Gt, Op::IGT, Op::FGT, Op::SGT, Op::NOP},
        {BinaryOp::Ge, Op::IGE, Op::FGE, Op::SGE, Op::NOP},
        {BinaryOp::Add, Op::IADD, Op::FADD, Op::CONCAT, Op::NOP},
        {BinaryOp::Sub, Op::ISUB, Op::FSUB, Op::NOP, Op::NOP},
        {BinaryOp::Mul, Op::IMUL, Op::FMUL, Op::NOP, Op::NOP},
        {BinaryOp::Div, Op::IDIV, Op::FDIV, Op::NOP, Op::NOP},
        {BinaryOp::Rem, Op::IREM, Op::FREM, Op::NOP, Op::NOP},
        {BinaryOp::BitAnd, Op::IAND, Op::NOP, Op::NOP, Op::NOP},
        {BinaryOp::BitOr, Op::IOR, Op::NOP, Op::NOP, Op::NOP},
        {BinaryOp::BitXor, Op::IXOR, Op::NOP, Op::NOP, Op::NOP},
        {BinaryOp::Shl, Op::ISHL, Op::NOP, Op::NOP, Op::NOP},
        {BinaryOp::Shr, Op::ISHR, Op::NOP, Op::NOP, Op::NOP},
        {BinaryOp::UShr, Op::IUSHR, Op::NOP, Op::NOP, Op::NOP},
    };
    for (const Row& r : rows) {
        if (r.op != op) continue;
        switch (oc) {
        case OperandClass::Int:
        case OperandClass::Bool: em_.emit(r.i); return;
        case OperandClass::Float: em_.emit(r.f); return;
        case OperandClass::String:
        case OperandClass::Concat: em_.emit(r.s); return;
        case OperandClass::Ref: em_.emit(r.r); return;
        case OperandClass::Invalid: return;
        }
    }
}

// With the target's current value on the stack: applies `op= value` and
// leaves the result, of the target's type (the checker made sure it fits).
void FunctionGen::genCompound(AssignOp op, const Type* target, Expr& value) {
    BinaryOp bop = compoundOperator(op);
    OperandClass oc = classifyBinary(bop, target, value.type);
    if (oc == OperandClass::Concat)
        genStringified(value);
    else
        genExprAs(value, target);
    genArith(bop, oc);
}

void FunctionGen::genLambda(Lambda& e) {
    const FunctionSym* fn = e.fn;
    for (const LocalVar* v : fn->captures) {
        if (v->isThis)
            pushThis();
        else
            pushBox(v);
    }
    int n = int(fn->captures.size());
    em_.emit(Op::MAKE_CLOSURE, fn->index, 0, n, 1);
}

// ---- Calls ------------------------------------------------------------------------

void FunctionGen::genArgs(Call& c) {
    for (size_t i = 0; i < c.args.size(); i++) {
        if (c.argTypes[i])
            genExprAs(*c.args[i], c.argTypes[i]);
        else
            genStringified(*c.args[i]);
    }
}

void FunctionGen::genCall(Call& c) {
    int n = int(c.args.size());
    int pushes = c.type->is(TypeKind::Void) ? 0 : 1;
    auto receiver = [&]() {
        if (c.implicitThis)
            pushThis();
        else
            genExpr(*static_cast<Member&>(*c.callee).object);
    };
    switch (c.callKind) {
    case CallKind::Function:
        genArgs(c);
        em_.emit(Op::CALL, c.target->index, 0, n, pushes);
        break;
    case CallKind::Builtin: {
        vm::BuiltinReceiver r = vm::builtinInfo(vm::BuiltinId(c.builtin)).receiver;
        bool method = r != vm::BuiltinReceiver::GLOBAL && r != vm::BuiltinReceiver::MODULE;
        if (method) receiver();
        genArgs(c);
        em_.emit(Op::CALL_BUILTIN, c.builtin, 0, n + (method ? 1 : 0), pushes);
        break;
    }
    case CallKind::Intrinsic: {
        const vm::IntrinsicInfo& info = vm::intrinsicInfo(vm::IntrinsicId(c.builtin));
        bool method = info.receiver != vm::BuiltinReceiver::GLOBAL && info.receiver != vm::BuiltinReceiver::MODULE;
        if (method) receiver();
        genArgs(c);
        em_.emit(info.op, pg_.type(c.type), 0, n + (method ? 1 : 0), pushes);
        break;
    }
    case CallKind::Virtual:
    case CallKind::Interface:
        receiver();
        genArgs(c);
        em_.emit(c.callKind == CallKind::Virtual ? Op::CALL_VIRTUAL : Op::CALL_INTERFACE, c.targetClass->index,
                 c.target->slot, n + 1, pushes);
        break;
    case CallKind::SuperMethod:
    case CallKind::SuperConstructor:
        pushThis();
        genArgs(c);
        em_.emit(Op::CALL, c.target->index, 0, n + 1, pushes);
        break;
    case CallKind::Constructor:
        em_.emit(Op::NEW, c.targetClass->index);
        em_.emit(Op::DUP);
        genArgs(c);
        em_.emit(Op::CALL, c.target->index, 0, n + 1, 0);
        break;
    case CallKind::Closure:
        genExpr(*c.callee);
        genArgs(c);
        em_.emit(Op::CALL_CLOSURE, pg_.type(c.callee->type), 0, n + 1, pushes);
        break;
    case CallKind::None: break;
    }
}

}  // namespace nido::compiler
