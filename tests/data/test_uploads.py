"""Upload folders: the size limit is judged on the base64 text, abandoned folders go."""

from __future__ import annotations

import base64
import os
import time

import pytest

from common.errors import FileUnreadableError
from data.uploads import (
    check_size,
    forget_stashes,
    size_refusal,
    stash_upload,
    upload_size,
)

MB = 1024 * 1024


def data_url(payload: bytes) -> str:
    return "data:text/csv;base64," + base64.b64encode(payload).decode()


@pytest.mark.parametrize("n", [0, 1, 2, 3, 4, 5, 1000, 1001, 1002])
def test_upload_size_is_the_decoded_length_without_decoding(n):
    assert upload_size(data_url(b"x" * n)) == n


def test_the_refusal_is_one_sentence_with_both_sizes_and_the_setting():
    assert size_refusal("big.csv", 312 * MB, 200 * MB) == (
        "big.csv is 312 MB; the limit is 200 MB (HEXALIGN_MAX_UPLOAD_MB)."
    )
    assert size_refusal("", 3 * MB // 2, MB) == (
        "The file is 1.5 MB; the limit is 1.0 MB (HEXALIGN_MAX_UPLOAD_MB)."
    )


def test_an_upload_over_the_limit_is_refused_before_it_is_decoded(tmp_path):
    not_base64 = "data:text/csv;base64," + "!" * (4 * MB)  # decoding would fail differently
    with pytest.raises(FileUnreadableError) as err:
        stash_upload(tmp_path, "accounts", "big.csv", not_base64, max_bytes=2 * MB)
    assert str(err.value) == "big.csv is 3.0 MB; the limit is 2.0 MB (HEXALIGN_MAX_UPLOAD_MB)."
    assert not (tmp_path / "accounts").exists()
    path = stash_upload(tmp_path, "accounts", "ok.csv", data_url(b"a" * MB), max_bytes=MB)
    assert path.stat().st_size == MB  # exactly the limit is fine


def test_a_file_on_disk_over_the_limit_is_refused(tmp_path):
    path = tmp_path / "big.csv"
    path.write_bytes(b"a" * (MB + 1))
    with pytest.raises(FileUnreadableError, match=r"^big.csv is 1.0 MB; the limit is 1.0 MB"):
        check_size(path, MB)
    check_size(path, MB + 1)


def test_forget_stashes_removes_abandoned_folders_only(tmp_path):
    old, fresh, jobs = (
        tmp_path / "0123456789abcdef",
        tmp_path / "fedcba9876543210",
        tmp_path / "jobs",
    )
    for folder in (old, fresh, jobs):
        (folder / "accounts").mkdir(parents=True)
        (folder / "accounts" / "a.csv").write_text("x")
    day_ago = time.time() - 25 * 3600
    for folder in (old, jobs):
        os.utime(folder, (day_ago, day_ago))
    forget_stashes(tmp_path)
    assert not old.exists() and fresh.exists() and jobs.exists()
    forget_stashes(tmp_path / "missing")  # nothing to clean: no error
