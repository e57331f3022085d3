#!/usr/bin/env python3
"""Checks that the Python binding (ctypes declarations) and the Fortran module (bind(C)
interfaces) declare every function of include/x3mat.h, by its name, with as many
arguments as the header and each of a matching kind (32/64-bit integer, double, string,
handle or pointer, by value or by reference), and the same kind of result.

    check_bindings_match_header.py include/x3mat.h bindings/python/x3mat/_lib.py bindings/fortran/x3mat.f90
"""
import ast
import re
import sys

# ---- the header ------------------------------------------------------------------------
# A kind per C type. "ptr" is any pointer passed by value that is not one of the named
# kinds: a handle (x3_structure *), a user-data void *, an array of doubles/int32/int64.


def c_kind(t: str) -> str:
    t = " ".join(t.replace("const", " ").split())
    t = re.sub(r"\s*\*", "*", t)
    table = {
        "int32_t": "i32", "int64_t": "i64", "double": "f64", "x3_status": "i32", "void": "void",
        "char*": "str", "int32_t*": "p_i32", "int64_t*": "p_i64", "double*": "p_f64", "void*": "ptr",
        "char**": "p_str", "x3_progress_callback": "fn",
    }
    if t in table:
        return table[t]
    if re.fullmatch(r"x3_\w+\*\*", t):
        return "p_handle"
    if re.fullmatch(r"x3_\w+\*", t):
        return "handle"
    raise ValueError(f"header type '{t}' has no kind")


def header_functions(path):
    text = open(path).read()
    text = re.sub(r"/\*.*?\*/", " ", text, flags=re.S)
    out = {}
    for ret, name, params in re.findall(r"X3_API\s+([\w\s\*]+?)\s*\b(x3_\w+)\s*\(([^)]*)\)\s*;", text):
        args = []
        for p in params.split(","):
            p = p.strip()
            if not p or p == "void":
                continue
            array = re.search(r"\[\d*\]$", p)  # int32_t refine[3]: a pointer
            p = re.sub(r"\[\d*\]$", "", p)
            m = re.fullmatch(r"(.*?)(\w+)$", p)
            args.append(c_kind(m.group(1) + ("*" if array else "")))
        out[name] = (c_kind(ret), args)
    return out


# ---- Python ------------------------------------------------------------------------------
PY_KINDS = {
    "ctypes.c_int32": "i32", "ctypes.c_int64": "i64", "ctypes.c_double": "f64", "ctypes.c_char_p": "str",
    "c_int32_p": "p_i32", "c_int64_p": "p_i64", "c_double_p": "p_f64", "c_handle": "ptr",
    "ctypes.c_void_p": "ptr", "ctypes.POINTER(c_handle)": "p_handle",
    "ctypes.POINTER(ctypes.c_char_p)": "p_str", "PROGRESS_CALLBACK": "fn", "None": "void",
}


def python_functions(path):
    tree = ast.parse(open(path).read())
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "_declare":
            name = node.args[0].value
            args = [PY_KINDS[ast.unparse(a)] for a in node.args[1].elts]
            ret = PY_KINDS[ast.unparse(node.args[2])] if len(node.args) > 2 else "i32"
            out[name] = (ret, args)
    return out


# ---- Fortran -----------------------------------------------------------------------------
def fortran_functions(path):
    text = open(path).read()
    text = re.sub(r"&\s*\n\s*", " ", text)  # join continuation lines
    out = {}
    # every bind(C) function or subroutine, named (an x3_ function) or abstract
    block = re.compile(r"^\s*(function|subroutine)\s+(\w+)\s*\(([^)]*)\)\s*(?:result\((\w+)\))?\s*"
                       r"bind\(C(?:,\s*name=\"(x3_\w+)\")?\)[ \t]*(?:result\((\w+)\))?(.*?)^\s*end (?:function|subroutine)",
                       re.M | re.S | re.I)
    by_interface = {}
    for kind, fname, dummies, result, cname, result_after, body in block.findall(text):
        result = result or result_after
        decls = {}
        for line in body.splitlines():
            m = re.match(r"\s*(integer|real|character|type)\s*\(([^)]*)\)(.*?)::(.*)", line, re.I)
            if not m:
                continue
            base, param, attrs, names = m.groups()
            for item in re.findall(r"(\w+)(\([^)]*\))?", names):
                decls[item[0].lower()] = (base.lower(), param.lower(), attrs.lower(), bool(item[1]))

        def f_kind(name):
            base, param, attrs, array = decls[name.lower()]
            by_value = "value" in attrs
            if base == "integer":
                k = "i32" if "int32" in param else "i64"
                return k if by_value and not array else "p_" + k
            if base == "real":
                return "f64" if by_value and not array else "p_f64"
            if base == "character":
                return "str"
            if param == "c_funptr":
                return "fn"
            if param == "c_ptr":
                # an array of C pointers: strings (char **) or handles (x3_structure *const *)
                return "ptr" if by_value else ("p_ptrs" if array else "p_handle")
            return "?"

        args = [f_kind(d.strip()) for d in dummies.split(",") if d.strip()]
        if kind.lower() == "subroutine":
            ret = "void"
        else:
            # a result is returned by value; a type(c_ptr) result is a const char *
            ret = f_kind(result or fname).removeprefix("p_")
            ret = "str" if ret in ("ptr", "handle") else ret
        by_interface[fname.lower()] = (ret, args)
        if cname:
            out[cname] = (ret, args)
    # procedure(abstract interface), bind(C, name="x3_...") :: local name
    for interface, cname in re.findall(r"^\s*procedure\((\w+)\),\s*bind\(C,\s*name=\"(x3_\w+)\"\)", text, re.M | re.I):
        out[cname] = by_interface[interface.lower()]
    return out


def compatible(c, b):
    """A binding's kind b for the header's kind c: equal, the generic pointer for a
    handle, an array, a string or user data passed by value, or Fortran's array of
    type(c_ptr) for an array of strings or of handles."""
    if c == b:
        return True
    if b == "ptr" and c in ("handle", "ptr", "p_f64", "p_i32", "p_i64", "str"):
        return True
    if c == "handle" and b == "ptr":
        return True
    if b == "p_ptrs" and c in ("p_str", "p_handle"):
        return True
    return False


def main():
    header = header_functions(sys.argv[1])
    bindings = {"Python": python_functions(sys.argv[2]), "Fortran": fortran_functions(sys.argv[3])}
    failures = []
    for lang, funcs in bindings.items():
        for name in sorted(set(funcs) - set(header)):
            failures.append(f"{lang} declares {name}, which x3mat.h does not")
        for name, (ret, args) in sorted(header.items()):
            if name not in funcs:
                failures.append(f"{lang} lacks {name}")
                continue
            bret, bargs = funcs[name]
            if len(bargs) != len(args):
                failures.append(f"{lang} {name}: {len(bargs)} arguments, x3mat.h has {len(args)}")
                continue
            for i, (c, b) in enumerate(zip(args, bargs)):
                if not compatible(c, b):
                    failures.append(f"{lang} {name}: argument {i + 1} is {b}, x3mat.h says {c}")
            if not compatible(ret, bret):
                failures.append(f"{lang} {name}: result {bret}, x3mat.h says {ret}")
    for f in failures:
        print("FAIL:", f)
    if failures:
        sys.exit(1)
    print(f"ok: the {len(header)} functions of x3mat.h are declared alike in "
          + " and ".join(f"{lang} ({len(funcs)})" for lang, funcs in bindings.items()))


if __name__ == "__main__":
    main()
