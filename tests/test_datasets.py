"""Tests of the dataset registry, loaders, verification, errors and offline downloads."""

from __future__ import annotations

import dataclasses
import functools
import gzip
import hashlib
import http.server
import io
import json
import threading
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from ecrm_methods import datasets as ds

EXPECTED_NAMES = {
    "cdnow",
    "cdnow-sample",
    "online-retail",
    "online-retail-ii",
    "ecommerce-churn",
    "online-shoppers",
    "customer-personality",
    "telco-churn",
    "clothing-reviews",
}


def needs(name):
    return pytest.mark.skipif(
        not ds.is_available(name), reason=f"{name} is not in the data home (set ECRM_DATA)"
    )


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def empty_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("ECRM_DATA", str(home))
    return home


@pytest.fixture
def no_embedded(tmp_path, monkeypatch):
    """Point the embedded folder at an empty directory."""
    folder = tmp_path / "embedded"
    folder.mkdir()
    monkeypatch.setattr(ds, "embedded_dir", lambda: folder)
    return folder


REAL_EMBEDDED_DIR = ds.embedded_dir()


def embedded_bytes(name: str) -> bytes:
    with gzip.open(REAL_EMBEDDED_DIR / ds.DATASETS[name].files[0].embedded_path, "rb") as handle:
        return handle.read()


def patch_file(monkeypatch, name: str, info_changes=None, **file_changes):
    info = ds.DATASETS[name]
    new_file = dataclasses.replace(info.files[0], **file_changes)
    new_info = dataclasses.replace(info, files=(new_file,), **(info_changes or {}))
    monkeypatch.setitem(ds.DATASETS, name, new_info)
    return new_info


@pytest.fixture
def file_server(tmp_path):
    """A local http.server on 127.0.0.1 serving tmp_path/served."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def zip_bytes(member: str, data: bytes) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, data)
    return buffer.getvalue()


# ------------------------------------------------------------------------ registry
def test_registry_has_every_dataset_of_the_mirror_with_consistent_cards():
    assert set(ds.DATASETS) == EXPECTED_NAMES
    for name, info in ds.DATASETS.items():
        assert info.name == name
        assert info.files and all(len(f.sha256) == 64 for f in info.files)
        assert all(set(f.sha256) <= set("0123456789abcdef") for f in info.files)
        assert dict(info.facts)["rows"] == info.expected_rows
        assert info.publisher_url.startswith("http")
        assert info.citation and info.licence and info.title
        assert callable(getattr(ds, info.loader))
        assert info.embedded == (name in {"cdnow", "cdnow-sample"})
    with pytest.raises(dataclasses.FrozenInstanceError):
        ds.DATASETS["cdnow"].expected_rows = 1


def test_only_publisher_urls_that_need_no_login_are_downloadable():
    downloadable = {name for name, info in ds.DATASETS.items() if info.downloadable}
    assert downloadable == {
        "cdnow",
        "cdnow-sample",
        "online-retail",
        "online-retail-ii",
        "online-shoppers",
        "telco-churn",
    }
    for name in EXPECTED_NAMES - downloadable:
        assert "kaggle.com" in ds.DATASETS[name].publisher_url


def test_data_home_from_environment_else_user_cache(monkeypatch, tmp_path):
    monkeypatch.setenv("ECRM_DATA", str(tmp_path))
    assert ds.data_home() == tmp_path
    monkeypatch.setenv("ECRM_DATA", "")
    import platformdirs

    assert ds.data_home() == Path(platformdirs.user_cache_dir("ecrm_methods"))
    monkeypatch.delenv("ECRM_DATA")
    assert ds.data_home() == Path(platformdirs.user_cache_dir("ecrm_methods"))


def test_unknown_name_lists_the_valid_names():
    with pytest.raises(ds.UnknownDatasetError) as caught:
        ds.fetch("cdnoww")
    message = str(caught.value)
    assert "cdnoww" in message and "cdnow-sample" in message and "telco-churn" in message
    assert "Did you mean 'cdnow'" in message
    assert isinstance(caught.value, ds.DatasetError) and isinstance(caught.value, ValueError)
    for call in (ds.dataset_info, ds.is_available, ds.check_facts):
        with pytest.raises(ds.UnknownDatasetError):
            call("nope")
    with pytest.raises(ds.UnknownDatasetError):
        ds.verify_datasets(["nope"])


# ---------------------------------------------------------------- embedded CDNOW
def test_embedded_cdnow_loads_with_no_data_home(empty_home):
    assert ds.is_available("cdnow") and ds.is_available("cdnow-sample")
    assert ds.fetch("cdnow") == ds.embedded_dir() / "cdnow" / "CDNOW_master.txt.gz"
    master = ds.load_cdnow()
    assert list(master.columns) == ["customer_id", "date", "number_of_cds", "dollar_value"]
    assert master.dtypes.astype(str).tolist() == ["int64", "datetime64[ns]", "int64", "float64"]
    assert len(master) == 69_659 and master["customer_id"].nunique() == 23_570
    first = master.groupby("customer_id")["date"].min()
    assert first.min() == pd.Timestamp("1997-01-01") and first.max() <= pd.Timestamp("1997-03-31")
    assert master["date"].max() == pd.Timestamp("1998-06-30")


def test_embedded_copies_decompress_to_the_published_bytes():
    for name in ("cdnow", "cdnow-sample"):
        assert sha256(embedded_bytes(name)) == ds.DATASETS[name].files[0].sha256


def test_cdnow_sample_first_column_is_the_master_id(empty_home):
    sample = ds.load_cdnow(sample=True)
    assert list(sample.columns) == [
        "customer_id",
        "sample_customer_id",
        "date",
        "number_of_cds",
        "dollar_value",
    ]
    assert len(sample) == 6_919
    assert sample["sample_customer_id"].nunique() == 2_357
    assert sorted(sample["sample_customer_id"].unique()) == list(range(1, 2_358))
    assert sample.groupby("sample_customer_id")["customer_id"].nunique().eq(1).all()
    # the sample's purchases are exactly the master's purchases of those customers
    master = ds.load_cdnow()
    chosen = master[master["customer_id"].isin(sample["customer_id"])]
    key = ["customer_id", "date", "number_of_cds", "dollar_value"]
    pd.testing.assert_frame_equal(
        chosen[key].sort_values(key).reset_index(drop=True),
        sample[key].sort_values(key).reset_index(drop=True),
    )


def test_data_home_copy_wins_over_the_embedded_one(empty_home):
    target = empty_home / "cdnow" / "CDNOW_sample.txt"
    target.parent.mkdir()
    target.write_bytes(embedded_bytes("cdnow-sample"))
    assert ds.fetch("cdnow-sample") == target
    assert ds.list_datasets().set_index("name").loc["cdnow-sample", "location"] == str(target)
    assert len(ds.load_cdnow(sample=True)) == 6_919


# ------------------------------------------------------------------------- errors
def test_corrupt_file_in_data_home_raises_and_is_never_used(empty_home):
    target = empty_home / "cdnow" / "CDNOW_master.txt"
    target.parent.mkdir()
    good = embedded_bytes("cdnow")
    target.write_bytes(good[:-100])  # truncated
    with pytest.raises(ds.DatasetChecksumError) as caught:
        ds.load_cdnow()
    message = str(caught.value)
    expected = ds.DATASETS["cdnow"].files[0].sha256
    assert "cdnow/CDNOW_master.txt" in message and str(target) in message
    assert expected in message and sha256(good[:-100]) in message
    assert "delete" in message and "ECRM_DATA" in message and "download=True" in message
    # even with download=True the corrupt file is not replaced silently
    with pytest.raises(ds.DatasetChecksumError):
        ds.fetch("cdnow", download=True)
    table = ds.verify_datasets(["cdnow"])
    assert table.loc[0, "status"] == "checksum mismatch" and not table.loc[0, "sha256_ok"]


def test_checksum_is_recomputed_when_the_file_changes(empty_home):
    target = empty_home / "cdnow" / "CDNOW_sample.txt"
    target.parent.mkdir()
    good = embedded_bytes("cdnow-sample")
    target.write_bytes(good)
    assert ds.fetch("cdnow-sample") == target
    stat = target.stat()
    assert (str(target), stat.st_mtime_ns, stat.st_size) in ds._SHA_CACHE
    target.write_bytes(good.replace(b"29.33", b"99.33", 1))  # same size, new content
    import os

    os.utime(target, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10_000_000))
    with pytest.raises(ds.DatasetChecksumError):
        ds.fetch("cdnow-sample")


def test_missing_file_names_every_place_looked_and_the_fix(empty_home, no_embedded):
    with pytest.raises(ds.DatasetNotFoundError) as caught:
        ds.load_cdnow()
    message = str(caught.value)
    assert str(empty_home / "cdnow" / "CDNOW_master.txt") in message
    assert str(no_embedded / "cdnow" / "CDNOW_master.txt.gz") in message
    assert "brucehardie.com" in message and "ECRM_DATA" in message
    assert "fetch('cdnow', download=True)" in message
    assert isinstance(caught.value, ds.DatasetError)
    assert not ds.is_available("cdnow")


def test_kaggle_dataset_is_never_downloaded_and_the_error_says_where_to_get_it(empty_home):
    for name, loader in [
        ("ecommerce-churn", ds.load_ecommerce_churn),
        ("customer-personality", ds.load_customer_personality),
        ("clothing-reviews", ds.load_clothing_reviews),
    ]:
        with pytest.raises(ds.DatasetNotFoundError) as caught:
            loader()
        message = str(caught.value)
        assert ds.DATASETS[name].publisher_url in message and "login" in message
        assert str(empty_home / ds.DATASETS[name].files[0].relative_path) in message
        with pytest.raises(ds.DatasetNotFoundError):
            ds.fetch(name, download=True)


def test_unreadable_files_raise_read_errors(empty_home, no_embedded, monkeypatch):
    # a folder where the file should be
    (empty_home / "cdnow" / "CDNOW_master.txt").mkdir(parents=True)
    with pytest.raises(ds.DatasetReadError, match="is a folder"):
        ds.load_cdnow()
    # a broken gzip as the embedded copy
    broken = no_embedded / "cdnow" / "CDNOW_sample.txt.gz"
    broken.parent.mkdir()
    broken.write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    with pytest.raises(ds.DatasetReadError) as caught:
        ds.load_cdnow(sample=True)
    assert str(broken) in str(caught.value)
    # content whose checksum is right but which cannot be parsed
    telco = empty_home / "telco-churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv"
    telco.parent.mkdir()
    content = b"customerID,TotalCharges,Churn\n1,abc,No\n"
    telco.write_bytes(content)
    patch_file(monkeypatch, "telco-churn", sha256=sha256(content))
    with pytest.raises(ds.DatasetReadError) as caught:
        ds.load_telco_churn()
    assert "TotalCharges" in str(caught.value) and str(telco) in str(caught.value)
    table = ds.verify_datasets(["cdnow", "cdnow-sample", "telco-churn", "online-retail"])
    assert table["status"].tolist() == ["unreadable", "unreadable", "unreadable", "missing"]
    assert table["path"].iloc[-1] == "" and table["rows"].isna().all()


def test_list_and_verify_tables_have_the_documented_columns(empty_home):
    listed = ds.list_datasets()
    assert list(listed.columns) == ["name", "title", "licence", "rows", "available", "location"]
    assert set(listed["name"]) == EXPECTED_NAMES
    assert listed.set_index("name")["available"].to_dict() == {
        name: name in {"cdnow", "cdnow-sample"} for name in ds.DATASETS
    }
    table = ds.verify_datasets()
    for column in ["name", "file", "path", "status", "sha256_ok", "rows", "expected_rows"]:
        assert column in table.columns
    assert "rows_ok" in table.columns
    ok = table.set_index("name")
    assert ok.loc["cdnow", "status"] == "ok" and ok.loc["cdnow", "rows"] == 69_659
    assert ok.loc["cdnow-sample", "rows_ok"]
    assert (ok.drop(["cdnow", "cdnow-sample"])["status"] == "missing").all()


# ------------------------------------------------------------- offline downloads
def test_download_of_a_zip_whose_member_matches_the_published_sha(
    empty_home, no_embedded, file_server, monkeypatch
):
    root, url = file_server
    (root / "CDNOW_sample.zip").write_bytes(
        zip_bytes("CDNOW_sample.txt", embedded_bytes("cdnow-sample"))
    )
    patch_file(monkeypatch, "cdnow-sample", download_url=f"{url}/CDNOW_sample.zip")
    with pytest.raises(ds.DatasetNotFoundError):
        ds.fetch("cdnow-sample")  # no download unless asked
    path = ds.fetch("cdnow-sample", download=True)
    assert path == empty_home / "cdnow" / "CDNOW_sample.txt"
    assert sha256(path.read_bytes()) == ds.DATASETS["cdnow-sample"].files[0].sha256
    assert not ds._sidecar(path).exists()  # verified by sha256, nothing to record
    assert len(ds.load_cdnow(sample=True)) == 6_919
    assert [p.name for p in path.parent.iterdir()] == ["CDNOW_sample.txt"]  # no temp left


def test_cdnow_master_download_without_header_is_converted_to_the_mirror_bytes(
    empty_home, no_embedded, file_server, monkeypatch
):
    root, url = file_server
    mirror = embedded_bytes("cdnow")
    publisher = mirror.split(b"\n", 1)[1]  # the publisher's file has no header line
    (root / "CDNOW_master.zip").write_bytes(zip_bytes("CDNOW_master.txt", publisher))
    patch_file(monkeypatch, "cdnow", download_url=f"{url}/CDNOW_master.zip")
    path = ds.fetch("cdnow", download=True)
    assert path.read_bytes() == mirror
    assert len(ds.load_cdnow()) == 69_659


def test_download_differing_from_the_mirror_is_accepted_by_facts_and_recorded(
    empty_home, file_server, monkeypatch
):
    root, url = file_server
    content = (
        b"customerID,tenure,TotalCharges,Churn\na,0, ,No\nb,3,30.5,Yes\nc,5,51.0,No\nd,1,9.9,Yes\n"
    )
    (root / "telco.csv").write_bytes(content)
    patch_file(
        monkeypatch,
        "telco-churn",
        {"facts": (("rows", 4), ("churners", 2), ("blank_total_charges", 1)), "expected_rows": 4},
        download_url=f"{url}/telco.csv",
    )
    path = ds.fetch("telco-churn", download=True)
    record = json.loads(ds._sidecar(path).read_text())
    assert record["sha256"] == sha256(content) and record["source_url"] == f"{url}/telco.csv"
    assert "churners=2" in record["verified_by"]
    frame = ds.load_telco_churn()
    assert frame["TotalCharges"].isna().tolist() == [True, False, False, False]
    assert ds.check_facts("telco-churn")["ok"].all()
    assert ds.verify_datasets(["telco-churn"]).loc[0, "status"] == "ok"
    # a later change to the downloaded file is caught against the recorded sha256
    path.write_bytes(content + b"e,2,20.0,No\n")
    with pytest.raises(ds.DatasetChecksumError):
        ds.load_telco_churn()


def test_download_that_fails_the_published_facts_is_discarded(empty_home, file_server, monkeypatch):
    root, url = file_server
    (root / "telco.csv").write_bytes(b"customerID,tenure,TotalCharges,Churn\na,1,2.0,Yes\n")
    patch_file(monkeypatch, "telco-churn", download_url=f"{url}/telco.csv")
    with pytest.raises(ds.DatasetChecksumError) as caught:
        ds.fetch("telco-churn", download=True)
    message = str(caught.value)
    assert "rows: expected 7,043, got 1" in message and f"{url}/telco.csv" in message
    assert not (empty_home / "telco-churn" / "WA_Fn-UseC_-Telco-Customer-Churn.csv").exists()
    assert list((empty_home / "telco-churn").iterdir()) == []


def test_failed_download_and_bad_zip_are_clear_errors(empty_home, file_server, monkeypatch):
    root, url = file_server
    patch_file(monkeypatch, "online-shoppers", download_url=f"{url}/absent.zip")
    with pytest.raises(ds.DatasetNotFoundError, match="absent.zip"):
        ds.fetch("online-shoppers", download=True)
    (root / "shoppers.zip").write_bytes(zip_bytes("other.csv", b"a\n1\n"))
    patch_file(monkeypatch, "online-shoppers", download_url=f"{url}/shoppers.zip")
    with pytest.raises(ds.DatasetReadError, match="online_shoppers_intention.csv"):
        ds.fetch("online-shoppers", download=True)


def test_uci_xlsx_download_is_converted_to_the_mirror_parquet_types(
    empty_home, file_server, monkeypatch
):
    root, url = file_server
    workbook = pd.DataFrame(
        {
            "InvoiceNo": [536365, 536365, "C536379", 536380],
            "StockCode": ["85123A", 71053, "D", 22086],
            "Description": ["WHITE HANGING HEART", "WHITE METAL LANTERN", "Discount", None],
            "Quantity": [6, 6, -1, 2],
            "InvoiceDate": pd.to_datetime(
                ["2010-12-01 08:26", "2010-12-01 08:26", "2010-12-01 09:41", "2010-12-01 09:45"]
            ),
            "UnitPrice": [2.55, 3.39, 27.5, 0.0],
            "CustomerID": [17850.0, 17850.0, 14527.0, np.nan],
            "Country": ["United Kingdom"] * 4,
        }
    )
    buffer = io.BytesIO()
    workbook.to_excel(buffer, index=False)
    (root / "online+retail.zip").write_bytes(zip_bytes("Online Retail.xlsx", buffer.getvalue()))
    facts = (
        ("rows", 4),
        ("invoices", 3),
        ("customers", 2),
        ("rows_without_customer_id", 1),
        ("rows_without_description", 1),
        ("total_amount", 6 * 2.55 + 6 * 3.39 - 27.5),
    )
    patch_file(
        monkeypatch,
        "online-retail",
        {"facts": facts, "expected_rows": 4},
        download_url=f"{url}/online+retail.zip",
    )
    ds.fetch("online-retail", download=True)
    frame = ds.load_online_retail()
    assert frame["InvoiceNo"].tolist() == ["536365", "536365", "C536379", "536380"]
    assert frame["StockCode"].tolist() == ["85123A", "71053", "D", "22086"]
    assert str(frame["CustomerID"].dtype) == "Int64" and frame["CustomerID"].isna().sum() == 1
    assert frame["Description"].isna().tolist() == [False, False, False, True]
    assert str(frame["Quantity"].dtype) == "int64" and str(frame["UnitPrice"].dtype) == "float64"
    assert str(frame["InvoiceDate"].dtype) == "datetime64[ns]"
    assert ds.verify_datasets(["online-retail"]).loc[0, "rows_ok"]


def test_registered_conversion_and_member_names_are_known():
    for info in ds.DATASETS.values():
        for data_file in info.files:
            assert data_file.conversion is None or data_file.conversion in ds._CONVERSIONS
            if data_file.download_url and data_file.download_url.endswith(".zip"):
                assert data_file.archive_member


# ------------------------------------------------ published facts of the data home
@needs("online-retail")
def test_online_retail_facts():
    frame = ds.load_online_retail()
    assert list(frame.columns) == [
        "InvoiceNo",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "UnitPrice",
        "CustomerID",
        "Country",
    ]
    assert len(frame) == 541_909
    assert frame["InvoiceNo"].nunique() == 25_900
    assert frame["CustomerID"].nunique() == 4_372
    assert frame["CustomerID"].isna().sum() == 135_080
    assert frame["Description"].isna().sum() == 1_454
    assert round((frame["Quantity"] * frame["UnitPrice"]).sum(), 2) == 9_747_747.93
    cancelled = frame["InvoiceNo"].str.startswith("C")
    assert (frame.loc[cancelled, "Quantity"] < 0).all()
    assert str(frame["InvoiceDate"].dtype) == "datetime64[ns]"
    assert str(frame["CustomerID"].dtype) == "Int64"
    assert frame["InvoiceDate"].min() >= pd.Timestamp("2010-12-01")
    assert frame["InvoiceDate"].max() < pd.Timestamp("2011-12-10")


@needs("online-retail-ii")
def test_online_retail_ii_facts():
    frame = ds.load_online_retail_ii()
    assert list(frame.columns) == [
        "Invoice",
        "StockCode",
        "Description",
        "Quantity",
        "InvoiceDate",
        "Price",
        "Customer ID",
        "Country",
    ]
    assert len(frame) == 525_461
    assert frame["Customer ID"].nunique() == 4_383
    assert frame["Description"].isna().sum() == 2_928
    assert round((frame["Quantity"] * frame["Price"]).sum(), 2) == 9_539_484.63
    assert frame["InvoiceDate"].min() >= pd.Timestamp("2009-12-01")
    assert frame["InvoiceDate"].max() < pd.Timestamp("2010-12-10")


@needs("online-retail-ii")
@needs("online-retail")
def test_online_retail_ii_with_2010_2011_counts_the_overlap_once():
    first = ds.load_online_retail_ii()
    later = ds.load_online_retail()
    both = ds.load_online_retail_ii(include_2010_2011=True)
    assert list(both.columns) == list(first.columns)
    assert both.dtypes.to_dict() == first.dtypes.to_dict()
    overlap_first = first["InvoiceDate"] >= ds.OVERLAP_START
    overlap_later = later["InvoiceDate"] < ds.OVERLAP_END
    assert overlap_first.sum() == overlap_later.sum() == 22_523
    assert len(both) == len(first) + len(later) - 22_523 == 1_044_847
    # the overlap days come from the Online Retail II file (the first part), once
    in_overlap = (both["InvoiceDate"] >= ds.OVERLAP_START) & (both["InvoiceDate"] < ds.OVERLAP_END)
    assert in_overlap.sum() == 22_523
    assert (both.index[in_overlap] < len(first)).all()
    pd.testing.assert_frame_equal(both.iloc[: len(first)], first)
    assert both["InvoiceDate"].min() == first["InvoiceDate"].min()
    assert both["InvoiceDate"].max() == later["InvoiceDate"].max()
    amount = both["Quantity"] * both["Price"]
    assert round(amount.sum(), 2) == round(9_539_484.634 + 9_747_747.934 - 377_488.45, 2)


@needs("ecommerce-churn")
def test_ecommerce_churn_facts_and_dictionary():
    frame = ds.load_ecommerce_churn()
    assert frame.shape == (5_630, 20)
    assert (frame["Churn"] == 1).sum() == 948
    assert frame.isna().sum().sum() == 1_856
    assert set(frame["SatisfactionScore"].unique()) == {1, 2, 3, 4, 5}
    assert set(frame["Complain"].unique()) == {0, 1}
    frame.loc[0, "Churn"] = 99  # the per-process cache hands out copies
    assert ds.load_ecommerce_churn().loc[0, "Churn"] != 99
    dictionary = ds.load_ecommerce_churn_dictionary()
    assert list(dictionary.columns) == ["Data", "Variable", "Description"]
    assert set(frame.columns) <= set(dictionary["Variable"].str.strip())


@needs("online-shoppers")
def test_online_shoppers_facts():
    frame = ds.load_online_shoppers()
    assert frame.shape == (12_330, 18)
    assert frame["Revenue"].dtype == bool and frame["Revenue"].sum() == 1_908
    assert "June" in set(frame["Month"])
    assert (frame["Administrative_Duration"] == -1).any()
    assert frame.isna().any(axis=1).sum() == 14
    assert frame.duplicated().sum() == 119


@needs("customer-personality")
def test_customer_personality_facts():
    frame = ds.load_customer_personality()
    assert frame.shape == (2_240, 29)
    assert frame["Income"].isna().sum() == 24
    assert (frame["Response"] == 1).sum() == 334
    assert str(frame["Dt_Customer"].dtype) == "datetime64[ns]"
    assert frame.loc[0, "Dt_Customer"] == pd.Timestamp("2012-09-04")  # "04-09-2012"
    assert frame["Z_CostContact"].nunique() == 1 and frame["Z_Revenue"].nunique() == 1


@needs("telco-churn")
def test_telco_churn_facts():
    frame = ds.load_telco_churn()
    assert frame.shape == (7_043, 21)
    assert (frame["Churn"] == "Yes").sum() == 1_869
    assert frame["TotalCharges"].dtype == np.float64
    blank = frame["TotalCharges"].isna()
    assert blank.sum() == 11 and (frame.loc[blank, "tenure"] == 0).all()


@needs("clothing-reviews")
def test_clothing_reviews_facts():
    frame = ds.load_clothing_reviews()
    assert frame.shape == (23_486, 11)
    assert frame["Rating"].value_counts().sort_index().tolist() == [
        842,
        1_565,
        2_871,
        5_077,
        13_131,
    ]
    assert frame["Review Text"].isna().sum() == 845


@pytest.mark.parametrize("name", sorted(EXPECTED_NAMES))
def test_registered_facts_hold_and_files_verify(name):
    if not ds.is_available(name):
        pytest.skip(f"{name} is not in the data home (set ECRM_DATA)")
    table = ds.check_facts(name)
    assert table["ok"].all(), table[~table["ok"]]
    row = ds.verify_datasets([name]).iloc[0]
    assert row["status"] == "ok" and row["sha256_ok"] and row["rows_ok"]


def test_dataset_cards_list_every_registered_file_and_checksum():
    cards = (REAL_EMBEDDED_DIR / "README.md").read_text()
    for name, info in ds.DATASETS.items():
        assert f"(`{name}`)" in cards
        for data_file in info.files:
            assert f"`{data_file.relative_path}`" in cards and data_file.sha256 in cards
