import os
import subprocess
import sys

import pytest

from ecrm_methods import datasets
from ecrm_methods.cli import main


def test_datasets_list_names_every_registered_dataset(capsys):
    assert main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    for name in datasets.DATASETS:
        assert name in out
    assert "data home" in out


def test_datasets_info_prints_the_card(capsys):
    assert main(["datasets", "info", "cdnow"]) == 0
    out = capsys.readouterr().out
    assert "sha256" in out.lower() or "files" in out
    assert "licence" in out


def test_unknown_dataset_is_a_clear_error_listing_valid_names(capsys):
    assert main(["datasets", "info", "cdnoww"]) == 2
    err = capsys.readouterr().err
    assert "cdnoww" in err and "cdnow-sample" in err


@pytest.mark.skipif(not os.environ.get("ECRM_DATA"), reason="needs ECRM_DATA (the mirror)")
def test_verify_reports_every_mirrored_file_ok(capsys):
    assert main(["datasets", "verify"]) == 0
    out = capsys.readouterr().out
    table = datasets.verify_datasets()
    found = table[table["status"] != "missing"]
    # the mirror has every dataset of the registry
    assert set(found["name"]) == set(datasets.DATASETS)
    assert (found["status"] == "ok").all() and found["rows_ok"].all()
    assert f"{len(found)} file(s) found, {len(found)} ok" in out


def test_overview_on_the_embedded_sample(tmp_path, capsys):
    assert main(["overview", "--sample", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "2,357 customers" in out
    assert (tmp_path / "cdnow-sample_overview.png").stat().st_size > 10_000


def test_console_script_is_installed():
    result = subprocess.run(
        [sys.executable, "-m", "ecrm_methods.cli", "--help"], capture_output=True, text=True
    )
    assert result.returncode == 0
    for verb in ("datasets", "overview", "main"):
        assert verb in result.stdout
