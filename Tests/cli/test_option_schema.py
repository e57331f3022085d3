"""The option schemas (model configuration, training options, explain options) against
everything that documents or takes them by hand: the key lists and defaults in
include/x3mat.h, the Python docstrings and signatures, and the flags of `x3mat train` and
`x3mat explain` (their names and the defaults their help shows). The schemas come from
`x3mat options --json`, which prints what the library validates against; the other
sides are read from the repository's files and the CLI's help, so a key added, renamed
or given a new default in one place and not the others fails here. Also: values the
library writes (a seed above 2^53) read back."""
import ast
import json
import os
import pathlib
import re
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CLI = os.environ.get("X3MAT_CLI", str(ROOT / "build" / "bin" / "x3mat"))
HEADER = (ROOT / "include" / "x3mat.h").read_text()
PYTHON = ROOT / "bindings" / "python" / "x3mat"


def run(*args):
    return subprocess.run([CLI, *map(str, args)], capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def schema():
    r = run("options", "--json")
    assert r.returncode == 0, r.stderr
    return {name: {f["key"]: f for f in fields} for name, fields in json.loads(r.stdout).items()}


def value_of(text: str):
    """A default as documentation writes it ("0.002", "true", "True", '"l1"', "['y']"),
    as a Python value; the text itself (quotes dropped) when it is prose."""
    text = text.strip()
    for parse in (json.loads, ast.literal_eval):
        try:
            return parse(text)
        except (ValueError, SyntaxError):
            pass
    return text.replace('"', "")


def same_default(documented: str, field) -> bool:
    want = field["default"]
    got = value_of(documented)
    if isinstance(want, (int, float)) and not isinstance(want, bool):
        return isinstance(got, (int, float)) and not isinstance(got, bool) and float(got) == float(want)
    return got == want


def header_block(function: str) -> str:
    """The doc comment just before `function`'s declaration, without the comment marks."""
    end = HEADER.index(f"X3_API x3_status {function}(")
    start = HEADER.rindex("/**", 0, end)
    return " ".join(line.strip().lstrip("/*").strip() for line in HEADER[start:end].splitlines())


def documented_defaults(text: str, keys) -> dict:
    """key → the text of its default, from `"key" (DEFAULT...)` or `key (DEFAULT...)`: the
    parenthesis up to a ';', ':', ' = ', a unit or a ', Å'."""
    found = {}
    for key in keys:
        m = re.search(r'(?<![\w"])"?' + re.escape(key) + r'"?\s+\(([^()]*(?:\([^()]*\))?[^()]*)\)', text)
        if m:
            d = m.group(1)
            for cut in (";", ": ", " = ", ", Å", " Å", "  "):
                d = d.split(cut)[0]
            found[key] = d.strip()
    return found


def check_documented(text: str, fields: dict, where: str, skip=()):
    keys = [k for k in fields if k not in skip]
    found = documented_defaults(text, keys)
    missing = [k for k in keys if k not in found]
    assert not missing, f"{where} does not document {missing}"
    wrong = [(k, found[k], fields[k]["default"]) for k in keys if not same_default(found[k], fields[k])]
    assert not wrong, f"{where}: defaults differ from the schema (key, documented, schema): {wrong}"


def quoted_keys(text: str) -> set:
    """Every "snake_case" word in quotes that is followed by a parenthesis: the keys a
    header block documents."""
    return set(re.findall(r'"([a-z][a-z0-9_]*)"\s+\(', text))


def test_header_documents_every_model_configuration_key_with_its_default(schema):
    block = header_block("x3_model_create")
    check_documented(block, schema["model"], "x3_model_create's comment")
    assert quoted_keys(block) <= set(schema["model"]), quoted_keys(block) - set(schema["model"])


def test_header_documents_every_training_option_with_its_default(schema):
    block = header_block("x3_train")
    options, run_settings = block.split("and run settings")
    check_documented(options, schema["training"], "x3_train's comment")
    assert quoted_keys(options) <= set(schema["training"]), quoted_keys(options) - set(schema["training"])
    assert not set(re.findall(r'"([a-z_]+)"', run_settings)) & set(schema["training"])


def test_header_documents_every_explain_option_with_its_default(schema):
    block = header_block("x3_model_explain")
    check_documented(block, schema["explain"], "x3_model_explain's comment")
    assert quoted_keys(block) <= set(schema["explain"]), quoted_keys(block) - set(schema["explain"])


def python_function(module: str, qualified: str) -> ast.FunctionDef:
    tree = ast.parse((PYTHON / module).read_text())
    names = qualified.split(".")
    nodes = tree.body
    for name in names[:-1]:
        nodes = next(n for n in nodes if isinstance(n, ast.ClassDef) and n.name == name).body
    return next(n for n in nodes if isinstance(n, ast.FunctionDef) and n.name == names[-1])


def test_python_docstrings_give_every_key_with_its_default(schema):
    create = ast.get_docstring(python_function("model.py", "Model.create"))
    check_documented(create, schema["model"], "Model.create's docstring")
    train = ast.get_docstring(python_function("training.py", "train"))
    check_documented(train, schema["training"], "x3mat.train's docstring")
    explain = ast.get_docstring(python_function("model.py", "Model.explain"))
    check_documented(explain, schema["explain"], "Model.explain's docstring")


def test_python_explain_takes_exactly_the_explain_options_and_defers_their_defaults(schema):
    f = python_function("model.py", "Model.explain")
    args = f.args.args[3:] + f.args.kwonlyargs  # after self, structure, out
    defaults = dict(zip([a.arg for a in f.args.args[-len(f.args.defaults):]], f.args.defaults))
    defaults.update({a.arg: d for a, d in zip(f.args.kwonlyargs, f.args.kw_defaults)})
    assert {a.arg for a in args} == set(schema["explain"])
    for name in schema["explain"]:
        # None hands the choice to the library; selectivity's empty tuple is "no maps"
        assert ast.literal_eval(defaults[name]) in (None, ()), f"Model.explain spells a default for {name}"


def flag_defaults(command: str) -> dict:
    """--flag → the '(default: X)' its help shows ('' when none)."""
    text = run(command, "--help").stdout
    options = text[text.index("OPTIONS:"):]
    entries = re.split(r"\n  (?=-)", options)
    found = {}
    for e in entries:
        flags = re.findall(r"(--[a-z0-9-]+)", e.split("  ")[0] if "  " in e else e)
        body = " ".join(e.split())
        m = re.search(r"\(default: ([^)]*(?:\([^)]*\))?[^)]*)\)", body)
        for f in flags[:1]:
            found[f] = m.group(1) if m else ""
    return found


@pytest.mark.parametrize("command, sets", [("train", ["training", "model"]), ("explain", ["explain"])])
def test_cli_flags_exist_and_show_the_schema_defaults(schema, command, sets):
    flags = flag_defaults(command)
    for name in sets:
        for key, field in schema[name].items():
            flag = field["flag"]
            if flag is None:
                continue
            assert flag in flags, f"x3mat {command} has no {flag} for {name} key {key}"
            shown = flags[flag]
            if field["kind"] == "boolean":
                shown = {"on": "true", "off": "false"}.get(shown, shown)
            if isinstance(field["default"], list):
                assert shown in ("", "[]") and field["default"] == [], (flag, shown)
                continue
            assert same_default(shown, field), f"x3mat {command} {flag} shows default {shown!r}; the schema has {field['default']!r}"


def test_every_training_option_has_a_train_flag(schema):
    assert all(f["flag"] for f in schema["training"].values()), [k for k, f in schema["training"].items() if not f["flag"]]


def test_a_seed_above_2_to_the_53_is_written_so_that_it_reads_back(tmp_path):
    # the largest 64-bit seed: JSON numbers are exact only to 2^53, so it must travel as text
    iza = ROOT / ".." / "shared" / "data" / "iza"
    if not iza.exists():
        pytest.skip(f"shared data not found at {iza}")
    seed = 2**64 - 1
    r = run("train", iza, "--target", "ar_uptake_mol_kg", "-o", tmp_path / "run", "--config", write_tiny_config(tmp_path),
            "--limit", 6, "--epochs", 1, "--batch", 2, "--windows-per-structure", 1, "--seed", seed, "--threads", 1)
    assert r.returncode == 0, r.stderr
    model = tmp_path / "run" / "model.safetensors"
    raw = model.read_bytes()
    header = json.loads(raw[8:8 + int.from_bytes(raw[:8], "little")])
    assert json.loads(header["__metadata__"]["config"])["seed"] == str(seed)
    loaded = run("predict", iza / "cif" / "LTA.cif", "-m", model, "--top", 0)
    assert loaded.returncode == 0, loaded.stderr


def write_tiny_config(tmp_path) -> pathlib.Path:
    config = {"lmax": 1, "mmax": 1, "channels": 4, "attention_channels": 4, "heads": 2, "value_channels_per_head": 2,
              "ffn_channels": 4, "blocks": 1, "radial_basis": 4, "radial_hidden": 4, "edge_embedding": 2,
              "max_neighbours": 6, "readout_hidden": 4, "window_radius": 5.0, "window_step": 5.0}
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(config))
    return path


def test_unknown_keys_are_refused_naming_the_key(tmp_path):
    path = tmp_path / "typo.json"
    path.write_text('{"chanels": 8}')
    r = run("train", tmp_path, "--target", "y", "-o", tmp_path / "out", "--config", path)
    assert r.returncode != 0 and "unknown configuration key 'chanels'" in r.stderr
