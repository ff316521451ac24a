import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from ecrm_methods.plotting import plot_pareto, plot_weekly_activity


def test_pareto_curve_marks_the_top_share():
    # 10 customers: one brings 91 of 100 revenue units -> top 20 % (2 customers) bring 92 %
    values = np.r_[91.0, np.ones(9)]
    ax = plot_pareto(values)
    curve = ax.lines[0]
    x, y = curve.get_data()
    assert x[0] == 0 and y[0] == 0 and y[-1] == pytest.approx(1.0)
    assert np.all(np.diff(y) >= 0)
    horizontal = [line for line in ax.lines if np.allclose(line.get_ydata(), line.get_ydata()[0])]
    assert any(np.isclose(line.get_ydata()[0], 0.92) for line in horizontal)
    plt.close("all")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ([], "non-empty"),
        ([1.0, -2.0], "non-negative"),
        ([1.0, np.nan], "NaN"),
        ([0.0, 0.0], "sum to zero"),
    ],
)
def test_pareto_bad_input(values, message):
    with pytest.raises(ValueError, match=message):
        plot_pareto(values)


def test_pareto_rejects_bad_fraction():
    with pytest.raises(ValueError, match="top_fraction"):
        plot_pareto([1.0, 2.0], top_fraction=1.5)


def test_weekly_activity_counts_transactions_per_week():
    dates = pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-09", "2024-01-10", "2024-01-11"])
    ax = plot_weekly_activity(pd.DataFrame({"date": dates}), "date", split_date="2024-01-05")
    assert list(ax.lines[0].get_ydata()) == [2, 3]
    plt.close("all")


def test_weekly_activity_names_a_missing_column():
    with pytest.raises(KeyError, match="when"):
        plot_weekly_activity(pd.DataFrame({"date": []}), "when")
