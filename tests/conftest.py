import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from pipeline.config import load_config


def overlay_config(tmp_path: Path, table: str, **values):
    """load_config over a user file setting ``values`` in ``[table]`` (each value as JSON, valid TOML)."""
    path = tmp_path / "overlay.toml"
    path.write_text(f"[{table}]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in values.items()), encoding="utf-8")
    return load_config(path)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """A real S3 endpoint: moto's standalone server on a free loopback port, stopped after the module."""
    pytest.importorskip("moto.server", reason="moto[server] provides the S3 endpoint (pip install -e '.[test]')")
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            try:
                urllib.request.urlopen(url, timeout=1)
                break
            except OSError:
                if server.poll() is not None:
                    pytest.fail("moto_server exited at start")
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)


@pytest.fixture
def aws_env(s3_endpoint, monkeypatch):
    """AWS's variables pointing s3fs (in this process and in the processes it starts) at ``s3_endpoint``."""
    env = {"AWS_ENDPOINT_URL": s3_endpoint, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    import fsspec

    fsspec.config.conf.pop("s3", None)
    import s3fs

    s3fs.S3FileSystem.clear_instance_cache()
    return env


@contextmanager
def luigid_server(folder: Path, scheduler_settings: str = ""):
    """luigid on a free loopback port (its state and logs in ``folder``, ``scheduler_settings`` its
    [scheduler] lines); its URL, and it is stopped at the end."""
    port = free_port()
    executable = shutil.which("luigid") or str(Path(sys.executable).with_name("luigid"))
    (folder / "logs").mkdir()
    config = folder / "luigid.cfg"
    config.write_text("[scheduler]\n" + scheduler_settings, encoding="utf-8")
    server = subprocess.Popen([executable, "--address", "127.0.0.1", "--port", str(port),
                               "--state-path", str(folder / "luigid.pickle"), "--logdir", str(folder / "logs")],
                              cwd=folder, env={**os.environ, "LUIGI_CONFIG_PATH": str(config)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"{url}/api/task_list?data=%7B%7D", timeout=2).read()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "luigid did not start"
                time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
