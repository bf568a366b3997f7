"""The generated container image (``lib/deploy/container-image.ts``), built and run without Docker.

``test_container.py`` runs ``ork.container`` from this checkout with this machine's site-packages, so it
cannot see what the image lacks. Here the image's file system is reproduced from the generated Dockerfile
itself and its CMD runs isolated from this machine's packages:

1. The build context comes from the construct's own code (``generatedImageContext``: ``copyWorkflowBundle``
   + ``generatedDockerfile``), and the state machine and task manifest from ``compileForDeploy``, in one
   ``node --import tsx`` call.
2. ``ImageBuild`` interprets the Dockerfile's instructions (FROM, WORKDIR, RUN pip install, COPY, ENV,
   CMD) and refuses any other, so that a generator change it does not understand fails here. Container
   paths map into a folder standing for the image's root; ``RUN pip install`` installs from the local
   wheel index into a fresh virtual environment standing for the base image's Python (pip sees what
   earlier RUN lines installed, as in the image).
3. The CMD runs with ``python -I -S``: sys.path is the WORKDIR (what ``python -m`` puts first), the
   standard library and the image's site-packages only — no user site, no PYTHONPATH, none of this
   machine's packages. Its environment is the Dockerfile's ENV, what the Fargate task definition gives
   (``containerTask`` in lib/deploy/ork-workflow.ts), ECS RunTask's container overrides as the compiled
   state passed them to moto's ECS, a region, fake credentials and AWS_ENDPOINT_URL for moto (a threaded
   moto server sharing the test's mock_aws state), and nothing else of this machine. As root, the
   /app stand-in is bind-mounted read-only in a private mount namespace.

The base image's interpreter is Python 3.13 (``python:3.13-slim``); this machine runs the image's file
system with its own Python 3.11, so the interpreter differs. The packages, though, come only from the
Dockerfile's own ``pip install`` lines (cp311 wheels of the same requirements).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from conftest import REPO_ROOT, json_lines
from test_container import Machine, executing_moto

WHEELS = Path("/opt/pypi/files")
BUCKET = "ork-payloads-image-test"
BASE_PIP_LINE = 'RUN pip install --no-cache-dir "pydantic>=2,<3" "boto3>=1.28"\n'
# What python:3.13-slim itself sets that a Python program could notice.
BASE_IMAGE_ENV = {"PATH": "/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin", "LANG": "C.UTF-8"}

WORKFLOW = """
name: boxed
tasks:
  crunch:
    executor: container
    file: tasks/crunch.py
    env:
      GREETING: hello from workflow.yaml
"""

TASK = """
import os
import sys

import pydantic
import tinydep
from ork import Context, task
from pydantic import BaseModel


class Params(BaseModel):
    mode: str = "ok"
    rows: int = 3


class Input(BaseModel):
    params: Params


class Output(BaseModel):
    rows: int
    execution_id: str
    tinydep: int
    greeting: str
    pydantic_file: str
    ork_file: str
    sys_path: list[str]
    app_writable: bool


@task
def main(input: Input, ctx: Context) -> Output:
    ctx.log.info("crunching", mode=input.params.mode)
    if input.params.mode == "fail":
        raise ValueError("no region configured")
    import ork

    return Output(
        rows=input.params.rows,
        execution_id=ctx.execution_id,
        tinydep=tinydep.X,
        greeting=os.environ["GREETING"],
        pydantic_file=pydantic.__file__,
        ork_file=ork.__file__,
        sys_path=sys.path,
        app_writable=os.access(os.environ["ORK_WORKFLOW_DIR"], os.W_OK),
    )
"""

# Builds the context exactly as the construct does, and compiles the workflow as the construct does.
NODE_HELPER = """
const [workflowDir, contextDir, imageModule, compileModule] = process.argv.slice(1);
const { generatedImageContext } = await import(imageModule);
const { compileForDeploy } = await import(compileModule);
const compiled = compileForDeploy(workflowDir, 'ContainerImageTest');
const image = generatedImageContext(compiled.directory, contextDir);
process.stdout.write(JSON.stringify({ definition: JSON.stringify(compiled.definition), manifest: compiled.manifest, image }));
"""


def write_wheel(directory: Path) -> Path:
    """A pure-Python wheel ``tinydep`` (``X = 1``), as test/deploy/python-requirements.test.ts writes it."""
    files = {
        "tinydep/__init__.py": "X = 1\n",
        "tinydep-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: tinydep\nVersion: 0.1\n",
        "tinydep-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
    }
    record = [
        f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b'=').decode()},{len(text.encode())}"
        for name, text in files.items()
    ]
    files["tinydep-0.1.dist-info/RECORD"] = "\n".join([*record, "tinydep-0.1.dist-info/RECORD,,"]) + "\n"
    directory.mkdir(parents=True, exist_ok=True)
    wheel = directory / "tinydep-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return wheel


def read_only_mounts() -> bool:
    """Whether this machine lets the test bind-mount the /app stand-in read-only (root, mount namespaces)."""
    if os.geteuid() != 0 or shutil.which("unshare") is None:
        return False
    probe = subprocess.run(["unshare", "-m", "/bin/sh", "-c", 'mount --bind -o ro "$0" "$0"', "/tmp"], capture_output=True, timeout=30)
    return probe.returncode == 0


class ImageBuild:
    """The generated Dockerfile, interpreted: the image's file system in a folder, its ENV and its CMD."""

    def __init__(self, context: Path, dockerfile: str, root: Path) -> None:
        self.context = context
        self.rootfs = root / "rootfs"
        self.rootfs.mkdir(parents=True)
        # The base image's Python: an empty environment, so that each RUN pip install sees the earlier ones.
        self.python = root / "python"
        subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(self.python)], check=True, timeout=60)
        [site] = (self.python / "lib").glob("python3.*/site-packages")
        self.site = site
        self.base: str | None = None
        self.workdir = "/"
        self.env: dict[str, str] = {}
        self.cmd: list[str] | None = None
        self.pip_runs: list[subprocess.CompletedProcess[str]] = []
        for instruction, arguments in self.instructions(dockerfile):
            handler = getattr(self, f"do_{instruction.lower()}", None)
            if handler is None:
                raise AssertionError(f"the generated Dockerfile uses {instruction}, which this test does not reproduce")
            handler(arguments)
        assert self.base is not None and self.cmd is not None, dockerfile

    @staticmethod
    def instructions(dockerfile: str) -> list[tuple[str, str]]:
        joined = re.sub(r"\\\n", " ", dockerfile)
        result = []
        for line in joined.splitlines():
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            instruction, _, arguments = line.strip().partition(" ")
            result.append((instruction.upper(), arguments.strip()))
        return result

    def host(self, container_path: str) -> Path:
        """Where a path of the image lies here (relative paths from WORKDIR, as Docker resolves them)."""
        absolute = os.path.normpath(os.path.join(self.workdir, container_path))
        return self.rootfs / absolute.lstrip("/")

    @property
    def app(self) -> Path:
        return self.host(self.workdir)

    def do_from(self, arguments: str) -> None:
        assert self.base is None, "one stage only"
        assert re.fullmatch(r"\S*python:3\.\d+-slim", arguments), arguments
        self.base = arguments

    def do_workdir(self, arguments: str) -> None:
        assert arguments.startswith("/"), arguments
        self.workdir = arguments
        self.host(arguments).mkdir(parents=True, exist_ok=True)

    def do_run(self, arguments: str) -> None:
        lexer = shlex.shlex(arguments, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        words = list(lexer)
        if words[:2] != ["pip", "install"] or any(set(w) <= set("();<>|&") for w in words):
            raise AssertionError(f"RUN {arguments}: only one plain `pip install` per RUN is reproduced here")
        args = [str(self.host(w)) if w.startswith("/") else w for w in words[2:]]
        command = [sys.executable, "-m", "pip", "--python", str(self.python / "bin" / "python"), "install"]
        command += ["--no-index", "--find-links", str(WHEELS), "--disable-pip-version-check", *args]
        # The shell of RUN runs in WORKDIR: relative paths (in requirements.txt too) are resolved there.
        run = subprocess.run(command, cwd=self.app, capture_output=True, text=True, timeout=120)
        self.pip_runs.append(run)
        assert run.returncode == 0, f"RUN {arguments}\n{run.stdout}\n{run.stderr}"

    def do_copy(self, arguments: str) -> None:
        words = shlex.split(arguments)
        if len(words) != 2 or words[0].startswith("--"):
            raise AssertionError(f"COPY {arguments}: only `COPY <source> <destination>` is reproduced here")
        source = (self.context / words[0]).resolve()
        assert source == self.context.resolve() or self.context.resolve() in source.parents, source
        destination = self.host(words[1])
        if source.is_dir():
            shutil.copytree(source, destination, dirs_exist_ok=True)
        elif words[1].endswith("/") or destination.is_dir():
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination / source.name)
        else:
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)

    def do_env(self, arguments: str) -> None:
        for pair in shlex.split(arguments):
            name, equals, value = pair.partition("=")
            if not equals:
                raise AssertionError(f"ENV {arguments}: only the `ENV NAME=value …` form is reproduced here")
            self.env[name] = value

    def do_cmd(self, arguments: str) -> None:
        command = json.loads(arguments)  # the exec form only: a shell-form CMD is not JSON
        assert isinstance(command, list) and all(isinstance(word, str) for word in command), arguments
        self.cmd = command

    def run(self, environment: dict[str, str], home: Path, read_only: bool, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """The CMD as the container runs it, isolated from this machine's Python packages and environment."""
        assert self.cmd is not None
        if self.cmd[:2] not in (["python", "-m"], ["python3", "-m"]):
            raise AssertionError(f"CMD {self.cmd}: only `python -m <module>` is reproduced here")
        module, arguments = self.cmd[2], self.cmd[3:]
        # `python -m` puts the working directory first; site adds site-packages (and its .pth files) after
        # the standard library. -I -S leave both out, so the bootstrap puts exactly those two back.
        bootstrap = (
            "import runpy, site, sys; "
            "app, packages, module = sys.argv[1:4]; "
            "sys.path.insert(0, app); site.addsitedir(packages); "
            "sys.argv = [module, *sys.argv[4:]]; "
            "runpy.run_module(module, run_name='__main__', alter_sys=True)"
        )
        command = [sys.executable, "-I", "-S", "-c", bootstrap, str(self.app), str(self.site), module, *arguments]
        if read_only:
            command = ["unshare", "-m", "/bin/sh", "-c", 'mount --bind -o ro "$0" "$0" && exec "$@"', str(self.app), *command]
        # ENV values naming a path of the image (ORK_WORKFLOW_DIR=/app) name its stand-in here.
        image_env = {name: str(self.host(value)) if value.startswith("/") and self.host(value).exists() else value for name, value in self.env.items()}
        env = {**BASE_IMAGE_ENV, "HOME": str(home), **image_env, **environment}
        return subprocess.run(command, cwd=self.app, env=env, capture_output=True, text=True, timeout=timeout)


def make_workflow(directory: Path) -> Path:
    (directory / "tasks").mkdir(parents=True)
    (directory / "workflow.yaml").write_text(WORKFLOW)
    (directory / "tasks" / "crunch.py").write_text(TASK)
    write_wheel(directory / "wheels")
    # Relative to the workflow directory, as for Lambda bundles (pip resolves it in its working directory).
    (directory / "requirements.txt").write_text("./wheels/tinydep-0.1-py3-none-any.whl\n")
    return directory


def construct_output(workflow: Path, context: Path) -> dict[str, Any]:
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not on PATH: the build context is made by lib/deploy/container-image.ts")
    modules = [(REPO_ROOT / "lib" / "deploy" / name).as_uri() for name in ("container-image.ts", "compile-for-deploy.ts")]
    result = subprocess.run(
        [node, "--import", "tsx", "--input-type=module", "-e", NODE_HELPER, str(workflow), str(context), *modules],
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def construct(tmp_path_factory) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("image")
    return construct_output(make_workflow(root / "boxed"), root / "context")


@pytest.fixture(scope="module")
def image(construct, tmp_path_factory) -> ImageBuild:
    if not WHEELS.is_dir():
        pytest.skip(f"no local wheel index at {WHEELS}")
    context = construct["image"]
    return ImageBuild(Path(context["directory"]), context["dockerfile"], tmp_path_factory.mktemp("image-fs"))


@pytest.fixture(scope="module")
def read_only() -> bool:
    return read_only_mounts()


class ImageMachine(Machine):
    """test_container's machine, whose ECS tasks run the reproduced image instead of ``container.main``."""

    def __init__(self, construct: dict[str, Any], image: ImageBuild, endpoint: str, home: Path, read_only: bool) -> None:
        [task] = [t for t in construct["manifest"]["tasks"] if t["name"] == "crunch"]
        assert "image" not in task and "dockerfile" not in task, "a generated image is the case under test"
        super().__init__(Path(construct["image"]["directory"]), construct["definition"], "us-east-1", home / "unused")
        self.image = image
        self.home = home
        self.read_only = read_only
        workflow = construct["manifest"]["workflow"]
        # containerTask in lib/deploy/ork-workflow.ts: the task's env, the runtime environment, file, heartbeat.
        self.task_definition_env = {
            **task["env"],
            "ORK_WORKFLOW": workflow,
            "ORK_PAYLOAD_BUCKET": BUCKET,
            "ORK_PAYLOAD_PREFIX": f"{workflow}/",
            "ORK_TASK_FILE": task["file"],
            "ORK_HEARTBEAT_SECONDS": str(task.get("heartbeatSeconds", 300)),
        }
        # What Fargate adds (region) and what stands in for the task role: fake keys, and moto as the endpoint.
        self.aws_env = {
            "AWS_REGION": "us-east-1",
            "AWS_DEFAULT_REGION": "us-east-1",
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_ENDPOINT_URL": endpoint,
        }
        self.outputs: list[subprocess.CompletedProcess[str]] = []

    def run_container(self, task: dict[str, Any], heartbeat_seconds: str) -> int:
        [override] = task["overrides"]["containerOverrides"]
        overrides = {e["name"]: e["value"] for e in override["environment"]}
        assert {"ORK_TASK_TOKEN", "ORK_PAYLOAD", "ORK_ATTEMPT"} <= set(overrides)
        run = self.image.run({**self.aws_env, **self.task_definition_env, **overrides}, self.home, self.read_only)
        self.outputs.append(run)
        return run.returncode


@pytest.fixture
def machine(construct, image, read_only, aws, monkeypatch, tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    with executing_moto(monkeypatch):
        # The container is another process: it reaches this test's moto state through a server in this one.
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        try:
            host, port = server.get_host_and_port()
            boto3.client("s3").create_bucket(Bucket=BUCKET)
            yield ImageMachine(construct, image, f"http://{host}:{port}", home, read_only)
        finally:
            server.stop()


def test_the_generated_dockerfile_is_what_the_image_is_built_from(construct, image) -> None:
    dockerfile = construct["image"]["dockerfile"]
    assert BASE_PIP_LINE in dockerfile and "requirements.txt" in dockerfile
    assert (Path(construct["image"]["directory"]) / construct["image"]["file"]).read_text() == dockerfile
    assert image.base.endswith("python:3.13-slim")
    assert image.cmd == ["python", "-m", "ork.container"]
    assert image.env == {"ORK_WORKFLOW_DIR": "/app", "PYTHONUNBUFFERED": "1"}
    assert (image.app / "ork" / "container.py").is_file() and (image.app / "tasks" / "crunch.py").is_file()
    assert (image.site / "pydantic").is_dir() and (image.site / "boto3").is_dir() and (image.site / "tinydep").is_dir()


def test_the_image_completes_the_task_token(machine, read_only) -> None:
    execution = machine.start("image-ok", {"rows": 12})
    described, runs = machine.drive(execution)
    [run] = machine.outputs
    assert [code for _, code in runs] == [0], run.stdout + run.stderr
    assert described["status"] == "SUCCEEDED", described
    output = json.loads(described["output"])["crunch"]
    assert output["rows"] == 12 and output["execution_id"] == execution
    # requirements.txt (a wheel at a path relative to the workflow directory) is installed in the image.
    assert output["tinydep"] == 1
    assert output["greeting"] == "hello from workflow.yaml"
    # Everything imported came from the image: the SDK from /app, pydantic from the image's site-packages.
    app, site = machine.image.app, machine.image.site
    assert Path(output["ork_file"]) == app / "ork" / "__init__.py"
    assert Path(output["pydantic_file"]).is_relative_to(site)
    packages = [Path(p) for p in output["sys_path"] if p.endswith("-packages")]
    assert packages == [site], output["sys_path"]
    assert output["app_writable"] is (not read_only)
    [log] = json_lines(run.stdout)
    assert log["message"] == "crunching" and log["task"] == "crunch" and log["execution_id"] == execution


def test_a_failing_task_fails_the_execution_with_its_exception_name(machine) -> None:
    execution = machine.start("image-fail", {"mode": "fail"})
    described, runs = machine.drive(execution)
    [run] = machine.outputs
    assert [code for _, code in runs] == [1], run.stdout + run.stderr
    # moto's SendTaskFailure passes on the error name (not the cause): the container reported it.
    assert described["status"] == "FAILED", described
    assert described["error"] == "ValueError"
    [failure] = [line for line in json_lines(run.stdout) if line["level"] == "error"]
    assert failure["error"]["type"] == "ValueError" and failure["error"]["message"] == "no region configured"


def test_without_the_sdk_dependencies_the_image_cannot_start(construct, tmp_path, read_only) -> None:
    """The negative control: the same image without its pydantic/boto3 line fails, so the run is isolated."""
    dockerfile = construct["image"]["dockerfile"]
    assert BASE_PIP_LINE in dockerfile
    image = ImageBuild(Path(construct["image"]["directory"]), dockerfile.replace(BASE_PIP_LINE, ""), tmp_path / "image")
    assert not (image.site / "pydantic").exists() and (image.site / "tinydep").is_dir()
    home = tmp_path / "home"
    home.mkdir()
    payload = {"ork": 1, "workflow": "boxed", "task": "crunch", "execution_id": "x", "attempt": 0, "params": {}}
    environment = {
        "ORK_TASK_FILE": "tasks/crunch.py",
        "ORK_PAYLOAD": json.dumps(payload),
        "ORK_TASK_TOKEN": "never-used",
        "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    }
    run = image.run(environment, home, read_only)
    assert run.returncode == 1
    assert "ModuleNotFoundError: No module named 'pydantic'" in run.stderr, run.stderr
