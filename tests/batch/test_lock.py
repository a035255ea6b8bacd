"""The output lock: another plan stops at once, the same plan shares."""
import json
import os
import socket

import pytest

from pipeline.batch.lock import OutputLockedError, output_lock


def test_output_lock_stops_another_plan_and_lets_the_same_plan_share(tmp_path):
    with output_lock(str(tmp_path), "p1"):
        holder = json.loads((tmp_path / "_work" / "lock").read_text(encoding="utf-8"))
        assert holder == {"pid": os.getpid(), "host": socket.gethostname(), "plan": "p1"}
        # flock locks belong to an open file: a second open, as by another process, conflicts
        with output_lock(str(tmp_path), "p1"):
            pass  # a process sharing the same plan goes on
        with pytest.raises(OutputLockedError) as raised:
            with output_lock(str(tmp_path), "p2"):
                pass
        assert str(raised.value) == (f"{tmp_path} is in use by another run (pid {os.getpid()} on host "
                                     f"{socket.gethostname()}); wait for it to end or give another --output")
    with output_lock(str(tmp_path), "p2"):  # released at the end
        pass
