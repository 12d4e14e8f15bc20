"""One smartsheet-sim per pytest session, driven through the official Python SDK."""

import dataclasses
import json
import os
import select
import subprocess
import tempfile
import urllib.request
from datetime import datetime

import pytest
import smartsheet

# Keep in step with node/sim.mjs.
SIM_ARGS = ["serve", "--port", "0", "--seed", "7", "--users", "300", "--days", "30",
            "--now", "2026-11-29T00:00:00Z", "--rate-limit", "off"]
START_TIMEOUT_S = 30


@dataclasses.dataclass
class Sim:
    base_url: str  # ends in /2.0, no trailing slash (what the Python SDK wants as api_base)
    tokens: dict = dataclasses.field(repr=False)  # never shown in failure output
    control_secret: str = dataclasses.field(repr=False)  # for the /__sim control endpoints

    @property
    def control_url(self):
        return self.base_url.removesuffix("/2.0") + "/__sim"

    def control(self, path, data=None):
        """A request to a control endpoint, with the secret from the start line."""
        req = urllib.request.Request(self.control_url + path, data=data, method="GET" if data is None else "POST",
                                     headers={"X-Sim-Control-Secret": self.control_secret})
        return urllib.request.urlopen(req)

    def now(self):
        with self.control("/state") as resp:
            return datetime.fromisoformat(json.load(resp)["now"])

    def set_faults(self, spec):
        with self.control("/faults", data=spec.encode()) as resp:
            assert resp.status == 200

    def plan_id(self):
        """The organization's plan: the one its admin holds an internal seat in."""
        admin = self.client()
        plans = admin.Users.list_user_plans(admin.Users.get_current_user().id).data
        return next(p.plan_id for p in plans if p.is_internal)

    def client(self, token_name="admin", token=None, max_retry_time=30):
        """An SDK client that raises the SDK's typed exceptions on API errors."""
        client = smartsheet.Smartsheet(access_token=token or self.tokens[token_name],
                                       api_base=self.base_url, max_retry_time=max_retry_time)
        client.errors_as_exceptions(True)
        return client


def _serve(extra_args=()):
    """Starts a simulator with SIM_ARGS plus `extra_args`, yields it, and kills it."""
    binary = os.environ.get("SMARTSHEET_SIM_BIN")
    if not binary or not os.access(binary, os.X_OK):
        pytest.fail(f"SMARTSHEET_SIM_BIN must name the smartsheet-sim binary (got {binary!r}); use run.sh")
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen([binary, *SIM_ARGS, *extra_args], stdout=subprocess.PIPE, stderr=stderr, text=True)
        try:
            ready, _, _ = select.select([proc.stdout], [], [], START_TIMEOUT_S)
            line = proc.stdout.readline() if ready else ""
            if not line:
                stderr.seek(0)
                pytest.fail(f"smartsheet-sim printed no start line: {stderr.read().decode(errors='replace')}")
            info = json.loads(line)
            yield Sim(base_url=info["base_url"], tokens=info["tokens"], control_secret=info["control_secret"])
            if proc.poll() is not None:  # a negative code is the signal that ended it
                stderr.seek(0)
                pytest.fail(f"smartsheet-sim died during the tests (exit code {proc.returncode}): "
                            f"{stderr.read().decode(errors='replace')}")
        finally:
            proc.kill()
            proc.wait()


@pytest.fixture(scope="session")
def sim():
    yield from _serve()


@pytest.fixture(scope="session")
def legacy_sim():
    """A simulator of an organization on a legacy plan (licensedSheetCreator, no seats)."""
    yield from _serve(["--legacy"])


@pytest.fixture(scope="session")
def admin(sim):
    return sim.client("admin")
