"""The CI workflow parses, and every command it runs exists in this project (paths, built targets, flags)."""
import os
import re
import shlex

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKFLOW = os.path.join(ROOT, ".github", "workflows", "ctxbench.yml")
# Commands a runner's shell has; everything else must be a file of this repository or a built target.
SHELL = {"cmake", "python3", "test", "echo", "exit", "tee", "{", "}", "true"}
PRODUCED = {"ctxbench.json", "report.html", "gab.json", "ctxbench.csv", "compare.json", "tuning.txt", "history.txt"}


def read(path):
    with open(os.path.join(ROOT, path)) as f:
        return f.read()


def cmake_targets():
    return set(re.findall(r"add_executable\(\s*([\w.-]+)", read("CMakeLists.txt")))


def steps():
    doc = yaml.safe_load(open(WORKFLOW))
    assert doc["name"] == "ctxbench"
    triggers = doc.get("on", doc.get(True))  # YAML 1.1 reads a bare `on` as true
    assert "push" in triggers and "pull_request" in triggers
    job = doc["jobs"]["bench"]
    assert "self-hosted" in job["runs-on"]
    assert job["strategy"]["matrix"]["include"], "a matrix of runner labels"
    return job["steps"]


def commands(run):
    """Simple commands of a `run:` block: ${{ }} expressions replaced, split at | && || ; and braces."""
    out = []
    for line in run.splitlines():
        line = re.sub(r"\$\{\{[^}]*\}\}", "EXPR", line).strip()
        if not line or line.startswith("#"):
            continue
        for part in re.split(r"\|\||&&|\||;", line):
            words = shlex.split(part.strip().strip("{}").strip())
            if words:
                out.append(words)
    return out


def flags_known(words, source_text):
    for w in words:
        if w.startswith("--"):
            flag = w.split("=")[0]
            assert f'"{flag}"' in source_text or f"'{flag}'" in source_text or flag in source_text, (flag, words)


def test_workflow_parses_and_uses_pinned_actions():
    for s in steps():
        if "uses" in s:
            assert re.fullmatch(r"[\w.-]+/[\w.-]+@v\d+", s["uses"]), s["uses"]


def test_every_command_exists_in_the_project():
    targets = cmake_targets()
    cpp_flags = read("src/options.cpp") + read("src/compare_options.cpp") + read("src/history_options.cpp")
    seen = set()
    for s in steps():
        for words in commands(s.get("run", "")):
            cmd = words[0]
            seen.add(cmd)
            if cmd.startswith("./build/") or cmd.startswith("build/"):
                name = os.path.basename(cmd)
                assert name in targets, f"{cmd}: not a CMake target ({sorted(targets)})"
                if len(words) > 1 and words[1] == "compare":
                    assert "compare_usage_text" in read("src/compare_options.cpp")
                flags_known(words[1:], cpp_flags)
            elif "/" in cmd:
                assert os.path.isfile(os.path.join(ROOT, cmd)), cmd
                assert os.access(os.path.join(ROOT, cmd), os.X_OK), f"{cmd} is not executable"
                # scripts/ci-history-gate.sh hands its flags on to ctxbench for the rerun
                flags_known(words[1:], read(cmd) + (cpp_flags if cmd == "scripts/ci-history-gate.sh" else ""))
            else:
                assert cmd in SHELL, f"{cmd}: neither a shell command nor a project file"
            if cmd == "python3":
                script = words[1]
                assert os.path.isfile(os.path.join(ROOT, script)), script
                flags_known(words[2:], read(script))
            for w in words[1:]:  # files the commands read must exist or be produced by the job
                if w.endswith((".json", ".html", ".csv", ".txt")) and "/" not in w:
                    assert w in PRODUCED, w
    assert {"cmake", "./build/ctxbench", "python3", "scripts/ci-tuning.sh", "scripts/install-deps.sh"} <= seen


def test_gate_and_publish_steps():
    text = open(WORKFLOW).read()
    assert "ctxbench compare" in text
    assert "scripts/ci-history-gate.sh" in text and "ctxbench history add" in text
    gate = read("scripts/ci-history-gate.sh")  # check, and on exit 3 a rerun checked with the run
    assert "ctxbench history check" in gate and '"$run" "$rerun"' in gate
    assert "customSmallerIsBetter" in text
    assert "upload-artifact" in text
    assert os.path.isdir(os.path.join(ROOT, "ci", "baselines"))
    assert os.path.isfile(os.path.join(ROOT, "docs", "ci.md"))
