// Fills bundled/libs for the .vsix (run by `npm run package`): the pure-Python packages pinned in
// bundled/requirements.txt, installed with pip from PyPI (or $PIP_FIND_LINKS), and paramlens
// itself copied from ../server/paramlens. Python: $PARAMLENS_BUNDLE_PYTHON, else python3, else
// python. Nothing compiled goes in: the .vsix is the same for every platform and Python >= 3.10.
import { spawnSync } from "node:child_process";
import { cpSync, existsSync, readdirSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const client = dirname(dirname(fileURLToPath(import.meta.url)));
const libs = join(client, "bundled", "libs");
const requirements = join(client, "bundled", "requirements.txt");
const source = join(dirname(client), "server", "paramlens");

const examples = join(dirname(client), "examples");

function python() {
  const candidates = [process.env.PARAMLENS_BUNDLE_PYTHON, "python3", "python"].filter(Boolean);
  for (const candidate of candidates) {
    const probe = spawnSync(candidate, ["-m", "pip", "--version"], { encoding: "utf8" });
    if (probe.status === 0) {
      return candidate;
    }
  }
  throw new Error(`no Python with pip to fill bundled/libs (tried ${candidates.join(", ")})`);
}

const interpreter = python();
rmSync(libs, { recursive: true, force: true });
const pip = spawnSync(interpreter, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check",
  "--target", libs, "--no-deps", "--only-binary=:all:", "--implementation", "py",
  "--python-version", "3.10", "--require-hashes", "--no-compile", "-r", requirements],
{ stdio: "inherit" });
if (pip.status !== 0) {
  throw new Error(`pip could not fill bundled/libs (exit ${pip.status})`);
}
// console scripts: not used (and vsce cannot leave them out: a .vscodeignore "!" line always wins)
rmSync(join(libs, "bin"), { recursive: true, force: true });
cpSync(source, join(libs, "paramlens"), {
  recursive: true,
  filter: (path) => !path.includes("__pycache__") && !path.endsWith(".pyc"),
});

function size(path) {
  const stat = statSync(path);
  return stat.isDirectory() ? readdirSync(path).reduce((sum, name) => sum + size(join(path, name)), 0)
    : stat.size;
}
const packages = readdirSync(libs).filter((name) => !name.endsWith(".dist-info")).sort();
console.log(`bundled/libs: ${packages.join(", ")} (${(size(libs) / 1024).toFixed(0)} KiB)`);
if (!existsSync(join(libs, "paramlens", "__main__.py"))) {
  throw new Error("paramlens was not copied into bundled/libs");
}

// The bundle must be enough by itself: with -S (no site-packages) and -E (no PYTHONPATH) only
// the standard library and bundled/libs are there. The server's modules import, and `paramlens
// check` prints its table. (-B: no __pycache__ written into what the .vsix packs.)
const tool = join(client, "bundled", "tool");
const smoke = [
  ["-B", "-S", "-E", "-c", "import sys, paramlens_cli; sys.path.insert(0, paramlens_cli.LIBS); " +
    "import paramlens.lsp.server"],
  ["-B", "-S", "-E", join(tool, "paramlens_cli.py"), "check", "--no-cache", examples],
];
for (const args of smoke) {
  const done = spawnSync(interpreter, args, { cwd: tool, encoding: "utf8" });
  if (done.status !== 0) {
    throw new Error(`the bundle alone does not run: ${args.join(" ")}\n${done.stdout}${done.stderr}`);
  }
}
console.log("bundled/libs runs by itself (python -B -S -E): the server imports, check prints its table");
