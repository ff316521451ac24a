import pytest

from ecrm_methods.overview import cdnow_overview


@pytest.fixture(scope="module")
def sample_report(tmp_path_factory):
    return cdnow_overview(out_dir=tmp_path_factory.mktemp("reports"), sample=True)


def test_sample_overview_counts(sample_report):
    facts = sample_report.facts
    assert facts["customers"] == 2357
    assert len(sample_report.calibration) == 2357
    assert len(sample_report.summary) == 2357
    assert facts["first_date"] == "1997-01-01"
    assert facts["last_date"] <= "1998-06-30"


def test_sample_overview_is_consistent(sample_report):
    facts = sample_report.facts
    cal = sample_report.calibration
    # the whole-period repeat purchases are at least the calibration repeat purchases
    assert facts["repeat_purchases"] >= facts["calibration_repeat_purchases"]
    assert facts["holdout_inactive_share"] == pytest.approx(
        float((cal["test_frequency"] == 0).mean())
    )
    # the 80/20 rule holds roughly on CDNOW: the top fifth brings well over half the revenue
    assert 0.5 < facts["top20_revenue_share"] < 0.95
    assert sample_report.figures[0].exists()


def test_full_log_has_23570_customers():
    report = cdnow_overview(out_dir=None)
    assert report.facts["customers"] == 23570
    assert report.figures == []
    assert "23,570 customers" in report.text
