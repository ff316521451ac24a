"""Dataset registry and loaders: public e-commerce data as tidy pandas frames.

Every dataset the project uses is registered in :data:`DATASETS` with its
publisher, licence, citation, files, sha256 checksums and the published facts a
correct copy must reproduce (rows, customers, totals, label counts).

Where the files are looked for, in order:

1. the *data home*, :func:`data_home`: the folder named by the environment
   variable ``ECRM_DATA``, else the user cache folder
   ``platformdirs.user_cache_dir("ecrm_methods")``. A file lives at
   ``<data home>/<relative_path>``, e.g. ``online-retail/online_retail.parquet``,
   the same layout as the project's read-only mirror (``ECRM_DATA=../shared/datasets``);
2. for CDNOW only, the gzip-compressed copy embedded in the repository under
   ``datasets/cdnow/``, so the default path needs no download and no set-up.

Every file is sha256-verified before use (the result is cached per path, size and
modification time within a process). A corrupt file is never used silently: it
raises :class:`DatasetChecksumError`. Missing files raise
:class:`DatasetNotFoundError` naming every place looked; unreadable files raise
:class:`DatasetReadError`; an unknown name raises :class:`UnknownDatasetError`.
All four subclass :class:`DatasetError`.

Downloads (``fetch(name, download=True)``) exist where the publisher has a stable
public URL: CDNOW (Bruce Hardie's zips), the three UCI datasets and IBM's GitHub
copy of Telco. Kaggle datasets need a login and are never downloaded; the error
says where to get them. When a download is converted (UCI's xlsx to the mirror's
parquet) or may differ byte-wise from the mirror's copy, its sha256 cannot be known
in advance. It is then accepted only if the loaded data reproduce the published
facts (:func:`check_facts`), and its sha256 is recorded next to it in
``<file>.sha256.json`` so that later loads verify it byte for byte.

Loaders return the data as published (types parsed, nothing dropped or fixed);
cleaning is explicit in :mod:`ecrm_methods.cleaning` (re-exported here).

References
----------
Fader, P. S. and Hardie, B. G. S. (2001). Forecasting repeat sales at CDNOW: a case
study. Interfaces, 31(3), S94-S107.
Chen, D., Sain, S. L. and Guo, K. (2012). Data mining for the online retail
industry: a case study of RFM model-based customer segmentation using data mining.
Journal of Database Marketing & Customer Strategy Management, 19(3), 197-208.
Sakar, C. O., Polat, S. O., Katircioglu, M. and Kastro, Y. (2019). Real-time
prediction of online shoppers' purchasing intention using multilayer perceptron
and LSTM recurrent neural networks. Neural Computing and Applications, 31, 6893-6908.
"""

from __future__ import annotations

import datetime as _dt
import functools
import gzip
import hashlib
import io
import json
import os
import shutil
import tempfile
import urllib.request
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ecrm_methods.cleaning import (
    CLEANING_STEPS,
    DEFAULT_CLEANING_STEPS,
    clean_transactions,
    drop_cancellations,
    drop_duplicate_rows,
    drop_missing_customer_id,
    drop_nonpositive_price,
    drop_nonpositive_quantity,
    retail_transactions,
    transaction_columns,
)

__all__ = [
    "CLEANING_STEPS",
    "DATASETS",
    "DEFAULT_CLEANING_STEPS",
    "DataFile",
    "DatasetChecksumError",
    "DatasetError",
    "DatasetInfo",
    "DatasetNotFoundError",
    "DatasetReadError",
    "UnknownDatasetError",
    "check_facts",
    "clean_transactions",
    "data_home",
    "dataset_info",
    "drop_cancellations",
    "drop_duplicate_rows",
    "drop_missing_customer_id",
    "drop_nonpositive_price",
    "drop_nonpositive_quantity",
    "embedded_dir",
    "fetch",
    "is_available",
    "list_datasets",
    "load_cdnow",
    "load_clothing_reviews",
    "load_customer_personality",
    "load_ecommerce_churn",
    "load_ecommerce_churn_dictionary",
    "load_online_retail",
    "load_online_retail_ii",
    "load_online_shoppers",
    "load_telco_churn",
    "retail_transactions",
    "transaction_columns",
    "verify_datasets",
]

ENV_VAR = "ECRM_DATA"

#: End of the 39-week calibration period of Fader, Hardie & Lee (2005) on CDNOW (the one place
#: this date is written; the value and churn problems, the overview and the notebooks use it).
CDNOW_CALIBRATION_END = "1997-09-30"
#: End of the 39-week holdout period: the last day of the CDNOW log.
CDNOW_HOLDOUT_END = "1998-06-30"
"""Environment variable naming the data home."""


# --------------------------------------------------------------------------- errors
class DatasetError(Exception):
    """Base class of every dataset problem (missing, corrupt, unreadable, unknown)."""


class UnknownDatasetError(DatasetError, ValueError):
    """The dataset name is not in :data:`DATASETS`; the message lists the valid names."""


class DatasetNotFoundError(DatasetError, FileNotFoundError):
    """A dataset file is in none of the places looked and cannot be downloaded."""


class DatasetChecksumError(DatasetError):
    """A dataset file's sha256 (or a download's published facts) does not match."""


class DatasetReadError(DatasetError):
    """A dataset file exists but cannot be read or parsed."""


# ------------------------------------------------------------------------- registry
@dataclass(frozen=True)
class DataFile:
    """One file of a dataset.

    Parameters
    ----------
    relative_path : str
        Path below the data home, e.g. ``"online-retail/online_retail.parquet"``.
    sha256 : str
        sha256 of the file's bytes as mirrored (for an embedded ``.gz`` copy: of the
        decompressed bytes).
    download_url : str or None
        Stable public URL of the publisher's copy; None when there is none (Kaggle).
    archive_member : str or None
        Name of the file inside the downloaded zip, if the download is a zip.
    conversion : str or None
        How the downloaded file becomes the mirror's format: ``None`` (as is),
        ``"cdnow_master_header"`` (prepend the header line the mirror's copy has),
        ``"uci_online_retail_xlsx"`` or ``"uci_online_retail_ii_xlsx"`` (xlsx to
        parquet with the mirror's column types).
    embedded_path : str or None
        Path of a gzip-compressed copy relative to the repository's ``datasets/``
        folder (CDNOW only).
    """

    relative_path: str
    sha256: str
    download_url: str | None = None
    archive_member: str | None = None
    conversion: str | None = None
    embedded_path: str | None = None


@dataclass(frozen=True)
class DatasetInfo:
    """Dataset card: what the data are, who publishes them, how to cite and verify them.

    Parameters
    ----------
    name : str
        Registry key, e.g. ``"online-retail"``.
    title, description : str
        Human-readable title and a short description.
    publisher_url : str
        Page of the publisher (where to download by hand).
    licence : str
        Licence or terms as stated by the publisher.
    citation : str
        How to cite the data.
    files : tuple of DataFile
        The files, with checksums and download sources.
    expected_rows : int
        Number of data rows of the loaded frame.
    redistributable : bool
        Whether the licence allows shipping a copy (only CDNOW is embedded).
    embedded : bool
        Whether a copy ships inside the repository.
    loader : str
        Name of the loader function in this module.
    facts : tuple of (str, float) pairs
        Published facts the loaded data must reproduce (see :func:`check_facts`).
    """

    name: str
    title: str
    description: str
    publisher_url: str
    licence: str
    citation: str
    files: tuple[DataFile, ...]
    expected_rows: int
    redistributable: bool
    embedded: bool
    loader: str
    facts: tuple[tuple[str, float], ...] = ()

    @property
    def downloadable(self) -> bool:
        """True when every file has a public download URL."""
        return all(f.download_url for f in self.files)


_CDNOW_CITATION = (
    "Fader, P. S. and Hardie, B. G. S. (2001). Forecasting repeat sales at CDNOW: a case "
    "study. Interfaces, 31(3), S94-S107. Data: http://www.brucehardie.com/datasets/"
)
_ONLINE_RETAIL_CITATION = (
    "Chen, D. (2015). Online Retail [Dataset]. UCI Machine Learning Repository. "
    "https://doi.org/10.24432/C5BW33. Chen, D., Sain, S. L. and Guo, K. (2012). Data mining "
    "for the online retail industry. J. Database Marketing & Customer Strategy Management, "
    "19(3), 197-208."
)
_ONLINE_RETAIL_II_CITATION = (
    "Chen, D. (2019). Online Retail II [Dataset]. UCI Machine Learning Repository. "
    "https://doi.org/10.24432/C5CG6D"
)
_UCI_LICENCE = "CC BY 4.0"

DATASETS: dict[str, DatasetInfo] = {
    info.name: info
    for info in [
        DatasetInfo(
            name="cdnow",
            title="CDNOW full transaction log",
            description=(
                "Every purchase from Jan 1997 to Jun 1998 of the 23,570 customers who made "
                "their first purchase at CDNOW in Q1 1997 (customer id, date, number of CDs, "
                "dollar value)."
            ),
            publisher_url="http://www.brucehardie.com/datasets/",
            licence=(
                "freely distributed for research by Fader & Hardie; also shipped in the "
                "MIT-licensed lifetimes package"
            ),
            citation=_CDNOW_CITATION,
            files=(
                DataFile(
                    "cdnow/CDNOW_master.txt",
                    "eff6889ed364c5199d6eacbbeb7a6d559971df4406ac876f322c373f00a072ef",
                    download_url="http://www.brucehardie.com/datasets/CDNOW_master.zip",
                    archive_member="CDNOW_master.txt",
                    conversion="cdnow_master_header",
                    embedded_path="cdnow/CDNOW_master.txt.gz",
                ),
            ),
            expected_rows=69_659,
            redistributable=True,
            embedded=True,
            loader="load_cdnow",
            facts=(("rows", 69_659), ("customers", 23_570)),
        ),
        DatasetInfo(
            name="cdnow-sample",
            title="CDNOW 1/10th systematic sample",
            description=(
                "The 2,357-customer sample of the CDNOW log used in the BG/NBD paper "
                "(Fader, Hardie & Lee 2005); columns customer id, id within the sample, "
                "date, number of CDs, dollar value."
            ),
            publisher_url="http://www.brucehardie.com/datasets/",
            licence="freely distributed for research by Fader & Hardie",
            citation=_CDNOW_CITATION
            + " Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). 'Counting your customers' "
            "the easy way: an alternative to the Pareto/NBD model. Marketing Science, 24(2), "
            "275-284.",
            files=(
                DataFile(
                    "cdnow/CDNOW_sample.txt",
                    "6fae10155c0b0ba363c2c386e30f77990d22328220efd862a5edd1443420d94a",
                    download_url="http://www.brucehardie.com/datasets/CDNOW_sample.zip",
                    archive_member="CDNOW_sample.txt",
                    embedded_path="cdnow/CDNOW_sample.txt.gz",
                ),
            ),
            expected_rows=6_919,
            redistributable=True,
            embedded=True,
            loader="load_cdnow",
            facts=(("rows", 6_919), ("customers", 2_357)),
        ),
        DatasetInfo(
            name="online-retail",
            title="UCI Online Retail",
            description=(
                "All transactions of a UK online gift retailer (many customers are "
                "wholesalers), 2010-12-01 to 2011-12-09; invoices starting with C are "
                "cancellations."
            ),
            publisher_url="https://archive.ics.uci.edu/dataset/352/online+retail",
            licence=_UCI_LICENCE,
            citation=_ONLINE_RETAIL_CITATION,
            files=(
                DataFile(
                    "online-retail/online_retail.parquet",
                    "8de0b0661e17deeccca6da5bcec66dc9b1a8107d8ce8ac769d851b359f134e05",
                    download_url="https://archive.ics.uci.edu/static/public/352/online+retail.zip",
                    archive_member="Online Retail.xlsx",
                    conversion="uci_online_retail_xlsx",
                ),
            ),
            expected_rows=541_909,
            redistributable=True,
            embedded=False,
            loader="load_online_retail",
            facts=(
                ("rows", 541_909),
                ("invoices", 25_900),
                ("customers", 4_372),
                ("rows_without_customer_id", 135_080),
                ("rows_without_description", 1_454),
                ("total_amount", 9_747_747.93),
            ),
        ),
        DatasetInfo(
            name="online-retail-ii",
            title="UCI Online Retail II, sheet 'Year 2009-2010'",
            description=(
                "The same retailer's transactions from 2009-12-01 to 2010-12-09 (the "
                "publisher's first sheet; the second sheet is essentially Online Retail)."
            ),
            publisher_url="https://archive.ics.uci.edu/dataset/502/online+retail+ii",
            licence=_UCI_LICENCE,
            citation=_ONLINE_RETAIL_II_CITATION,
            files=(
                DataFile(
                    "online-retail-ii/online_retail_ii_2009_2010.parquet",
                    "f026303c96bbe4fe5859fbf265e770df90e9a8f8f3da3d2496c6dfd1daca871c",
                    download_url=(
                        "https://archive.ics.uci.edu/static/public/502/online+retail+ii.zip"
                    ),
                    archive_member="online_retail_II.xlsx",
                    conversion="uci_online_retail_ii_xlsx",
                ),
            ),
            expected_rows=525_461,
            redistributable=True,
            embedded=False,
            loader="load_online_retail_ii",
            facts=(
                ("rows", 525_461),
                ("invoices", 28_816),
                ("customers", 4_383),
                ("total_amount", 9_539_484.63),
            ),
        ),
        DatasetInfo(
            name="ecommerce-churn",
            title="E-Commerce Customer Churn Analysis and Prediction",
            description=(
                "5,630 customers of an online retailer with a churn flag, satisfaction "
                "score, complaints, order and cashback history; sheets 'E Comm' (data) and "
                "'Data Dict' (meanings). Missing values are real and kept."
            ),
            publisher_url=(
                "https://www.kaggle.com/datasets/ankitverma2010/"
                "ecommerce-customer-churn-analysis-and-prediction"
            ),
            licence="not stated by the author: cite, do not redistribute",
            citation=(
                "Verma, A. (2020). Ecommerce Customer Churn Analysis and Prediction [Dataset]. "
                "Kaggle."
            ),
            files=(
                DataFile(
                    "ecommerce-churn/E Commerce Dataset.xlsx",
                    "27c5f4c24f30661189fc338aeed419148f083b25d153cb68bf5caa60e463be20",
                ),
            ),
            expected_rows=5_630,
            redistributable=False,
            embedded=False,
            loader="load_ecommerce_churn",
            facts=(("rows", 5_630), ("churners", 948), ("missing_cells", 1_856)),
        ),
        DatasetInfo(
            name="online-shoppers",
            title="UCI Online Shoppers Purchasing Intention",
            description=(
                "12,330 web sessions of an online shop with page-type counts and durations, "
                "bounce/exit rates, page values, month, visitor type; label 'Revenue'."
            ),
            publisher_url=(
                "https://archive.ics.uci.edu/dataset/468/online+shoppers+purchasing+intention+dataset"
            ),
            licence=_UCI_LICENCE,
            citation=(
                "Sakar, C. O., Polat, S. O., Katircioglu, M. and Kastro, Y. (2019). Real-time "
                "prediction of online shoppers' purchasing intention using multilayer "
                "perceptron and LSTM recurrent neural networks. Neural Computing and "
                "Applications, 31, 6893-6908. https://doi.org/10.24432/C5F88Q"
            ),
            files=(
                DataFile(
                    "online-shoppers/online_shoppers_intention.csv",
                    "9cda002173422ffbd455fbedcb378cd8b7cea1e6b727faaa39aec08d087d8120",
                    download_url=(
                        "https://archive.ics.uci.edu/static/public/468/"
                        "online+shoppers+purchasing+intention+dataset.zip"
                    ),
                    archive_member="online_shoppers_intention.csv",
                ),
            ),
            expected_rows=12_330,
            redistributable=True,
            embedded=False,
            loader="load_online_shoppers",
            facts=(
                ("rows", 12_330),
                ("revenue_sessions", 1_908),
                ("rows_with_missing", 14),
                ("duplicate_rows", 119),
            ),
        ),
        DatasetInfo(
            name="customer-personality",
            title="Customer Personality Analysis",
            description=(
                "2,240 customers of a retailer: demographics, spend per product category, "
                "purchases per channel, responses to five past campaigns; label 'Response' "
                "(last campaign). Tab separated."
            ),
            publisher_url="https://www.kaggle.com/datasets/imakash3011/customer-personality-analysis",
            licence="CC0 1.0",
            citation="Patel, A. (2021). Customer Personality Analysis [Dataset]. Kaggle.",
            files=(
                DataFile(
                    "customer-personality/marketing_campaign.csv",
                    "672b44cfeec7934ca85972fe9b2d6be73bc2d34e5e410e1e946314e0055a8ada",
                ),
            ),
            expected_rows=2_240,
            redistributable=True,
            embedded=False,
            loader="load_customer_personality",
            facts=(("rows", 2_240), ("missing_income", 24), ("responders", 334)),
        ),
        DatasetInfo(
            name="telco-churn",
            title="IBM Telco Customer Churn",
            description=(
                "7,043 telecom customers with services, contract, charges and a churn label "
                "(off-domain reference benchmark, not e-commerce)."
            ),
            publisher_url="https://github.com/IBM/telco-customer-churn-on-icp4d",
            licence="IBM sample data; no open licence stated",
            citation="IBM (2019). Telco Customer Churn [sample data set]. IBM Cognos Analytics.",
            files=(
                DataFile(
                    "telco-churn/WA_Fn-UseC_-Telco-Customer-Churn.csv",
                    "88be4b93fbe0cc83421af1c503794c97c342eca914c1576db7c276e61d61358a",
                    download_url=(
                        "https://raw.githubusercontent.com/IBM/telco-customer-churn-on-icp4d/"
                        "master/data/Telco-Customer-Churn.csv"
                    ),
                ),
            ),
            expected_rows=7_043,
            redistributable=False,
            embedded=False,
            loader="load_telco_churn",
            facts=(("rows", 7_043), ("churners", 1_869), ("blank_total_charges", 11)),
        ),
        DatasetInfo(
            name="clothing-reviews",
            title="Women's E-Commerce Clothing Reviews",
            description=(
                "23,486 customer reviews of a women's clothing online shop: rating 1-5, "
                "review text, recommendation flag, age, product division/department/class."
            ),
            publisher_url="https://www.kaggle.com/datasets/nicapotato/womens-ecommerce-clothing-reviews",
            licence="CC0 1.0",
            citation="Brooks, N. (2018). Women's E-Commerce Clothing Reviews [Dataset]. Kaggle.",
            files=(
                DataFile(
                    "womens-clothing-reviews/Womens Clothing E-Commerce Reviews.csv.zip",
                    "8dc01bbdf3e620dfc6dd416136bda0e2003636d308ee72ade879079038cd04d2",
                ),
            ),
            expected_rows=23_486,
            redistributable=True,
            embedded=False,
            loader="load_clothing_reviews",
            facts=(
                ("rows", 23_486),
                ("rating_1", 842),
                ("rating_2", 1_565),
                ("rating_3", 2_871),
                ("rating_4", 5_077),
                ("rating_5", 13_131),
                ("reviews_without_text", 845),
            ),
        ),
    ]
}
"""Registry of every dataset, keyed by name."""


# ------------------------------------------------------------------- locating files
def data_home() -> Path:
    """Folder where dataset files are looked for and downloaded to.

    Returns
    -------
    pathlib.Path
        ``$ECRM_DATA`` if that environment variable is set and not empty (``~`` is
        expanded, relative paths are taken from the current folder), else
        ``platformdirs.user_cache_dir("ecrm_methods")``. The folder need not exist.
    """
    value = os.environ.get(ENV_VAR, "").strip()
    if value:
        return Path(value).expanduser().absolute()
    import platformdirs

    return Path(platformdirs.user_cache_dir("ecrm_methods"))


def embedded_dir() -> Path:
    """Repository folder ``datasets/`` holding the embedded (gzip) CDNOW copies."""
    return Path(__file__).resolve().parent.parent / "datasets"


def dataset_info(name: str) -> DatasetInfo:
    """The registry entry of a dataset.

    Parameters
    ----------
    name : str
        One of the keys of :data:`DATASETS`.

    Returns
    -------
    DatasetInfo

    Raises
    ------
    UnknownDatasetError
        If ``name`` is not registered (the message lists the valid names).
    """
    if not isinstance(name, str) or name not in DATASETS:
        close = [n for n in DATASETS if isinstance(name, str) and (name in n or n in name)]
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise UnknownDatasetError(
            f"unknown dataset {name!r}.{hint} Valid names: {', '.join(DATASETS)}."
        )
    return DATASETS[name]


def _candidates(data_file: DataFile) -> list[tuple[Path, str]]:
    home = data_home()
    origin = f"data home, from {ENV_VAR}" if os.environ.get(ENV_VAR, "").strip() else "data home"
    places = [(home / data_file.relative_path, origin)]
    if data_file.embedded_path:
        places.append((embedded_dir() / data_file.embedded_path, "embedded copy"))
    return places


def _locate(data_file: DataFile) -> Path | None:
    for path, _ in _candidates(data_file):
        if path.exists():
            return path
    return None


def is_available(name: str) -> bool:
    """Whether the dataset's files exist locally (data home, or embedded for CDNOW).

    Nothing is downloaded and checksums are not computed; :func:`fetch` verifies.

    Parameters
    ----------
    name : str
        Dataset name.

    Returns
    -------
    bool
    """
    return all(_locate(f) is not None for f in dataset_info(name).files)


# --------------------------------------------------------------------- checksums
_SHA_CACHE: dict[tuple[str, int, int], str] = {}


def _open_binary(path: Path):
    return gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")


def _file_sha256(path: Path) -> str:
    """sha256 of the file's bytes (of the decompressed bytes for ``.gz``), cached."""
    try:
        stat = path.stat()
        key = (str(path), stat.st_mtime_ns, stat.st_size)
        if key in _SHA_CACHE:
            return _SHA_CACHE[key]
        digest = hashlib.sha256()
        with _open_binary(path) as handle:
            for block in iter(functools.partial(handle.read, 1 << 20), b""):
                digest.update(block)
    except (OSError, EOFError, zlib.error) as error:  # BadGzipFile is an OSError
        raise DatasetReadError(
            f"cannot read dataset file {path.name!r} at {path}: {error}. Fix: delete it and "
            f"place a good copy there (or set {ENV_VAR} to a folder with one)."
        ) from error
    _SHA_CACHE[key] = digest.hexdigest()
    return _SHA_CACHE[key]


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".sha256.json")


def _recorded_sha256(path: Path) -> str | None:
    """sha256 recorded when this file was downloaded and verified by its facts."""
    try:
        return json.loads(_sidecar(path).read_text())["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _checksum_error(
    name: str, data_file: DataFile, path: Path, actual: str
) -> DatasetChecksumError:
    return DatasetChecksumError(
        f"checksum mismatch for {data_file.relative_path!r} of dataset {name!r} at {path}: "
        f"expected sha256 {data_file.sha256}, got {actual}. The file is corrupt, truncated "
        "or a different version, so it is not used. Fix: delete it and re-download it "
        f"(fetch({name!r}, download=True) where a download exists, else from "
        f"{dataset_info(name).publisher_url}), or set {ENV_VAR} to a folder with a good copy."
    )


def _verified_path(name: str, data_file: DataFile, path: Path) -> Path:
    if path.is_dir():
        raise DatasetReadError(
            f"dataset file {data_file.relative_path!r} of {name!r} at {path} is a folder, "
            "not a file. Fix: remove it and place the file there."
        )
    actual = _file_sha256(path)
    if actual != data_file.sha256 and actual != _recorded_sha256(path):
        raise _checksum_error(name, data_file, path, actual)
    return path


def _not_found_error(name: str, data_file: DataFile) -> DatasetNotFoundError:
    info = dataset_info(name)
    looked = "\n".join(f"  - {path} ({origin})" for path, origin in _candidates(data_file))
    target = data_home() / data_file.relative_path
    if data_file.download_url:
        how = (
            f"call fetch({name!r}, download=True) to download it from {data_file.download_url}, "
            f"or set {ENV_VAR} to a folder that holds {data_file.relative_path!r}"
        )
    else:
        how = (
            f"it cannot be downloaded automatically (the publisher needs a login): download it "
            f"from {info.publisher_url} and place it at {target}, or set {ENV_VAR} to a folder "
            f"that holds {data_file.relative_path!r}"
        )
    return DatasetNotFoundError(
        f"dataset file {data_file.relative_path!r} of {name!r} was not found. Looked in:\n"
        f"{looked}\nPublisher: {info.publisher_url}\nFix: {how}."
    )


def fetch(name: str, download: bool = False) -> Path:
    """Locate a dataset's file, download it if asked, and verify its sha256.

    Parameters
    ----------
    name : str
        Dataset name (a key of :data:`DATASETS`).
    download : bool, default False
        If the file is in none of the places looked, download it from the publisher
        into :func:`data_home` (only where :attr:`DataFile.download_url` is set).

    Returns
    -------
    pathlib.Path
        Path of the verified file (for embedded CDNOW, the ``.gz`` copy).

    Raises
    ------
    UnknownDatasetError, DatasetNotFoundError, DatasetChecksumError, DatasetReadError
        See the module docstring. A file that exists but fails verification is never
        replaced silently, even with ``download=True``: delete it first.
    """
    info = dataset_info(name)
    paths = []
    for data_file in info.files:
        path = _locate(data_file)
        if path is None:
            if not (download and data_file.download_url):
                raise _not_found_error(name, data_file)
            path = _download(info, data_file, data_home() / data_file.relative_path)
        paths.append(_verified_path(name, data_file, path))
    return paths[0]


# ---------------------------------------------------------------------- downloads
def _http_get(url: str, target: Path, timeout: float = 120.0) -> None:
    request = urllib.request.Request(url, headers={"User-Agent": "ecrm_methods dataset fetch"})
    with urllib.request.urlopen(request, timeout=timeout) as response, open(target, "wb") as out:
        shutil.copyfileobj(response, out, 1 << 20)


def _convert_cdnow_master_header(source: Path, target: Path) -> None:
    # the publisher's file has no header line; the mirror's (lifetimes) copy has this one
    with open(source, "rb") as handle:
        body = handle.read()
    first = body.split(b"\n", 1)[0]
    header = (
        b"" if b"customer_id" in first else b" customer_id  date number_of_cds  dollar_value\r\n"
    )
    target.write_bytes(header + body)


def _convert_uci_online_retail_xlsx(source: Path, target: Path, *, ii: bool = False) -> None:
    columns = (
        ["Invoice", "StockCode", "Description", "Quantity", "InvoiceDate", "Price", "Customer ID"]
        if ii
        else [
            "InvoiceNo",
            "StockCode",
            "Description",
            "Quantity",
            "InvoiceDate",
            "UnitPrice",
            "CustomerID",
        ]
    )
    invoice, stock, description, quantity, date, price, customer = columns
    sheet = "Year 2009-2010" if ii else 0
    frame = pd.read_excel(source, sheet_name=sheet)
    missing = [c for c in [*columns, "Country"] if c not in frame.columns]
    if missing:
        raise DatasetReadError(
            f"downloaded workbook {source.name!r} lacks column(s) {missing}; found "
            f"{list(frame.columns)}. The publisher's format may have changed."
        )
    out = pd.DataFrame(
        {
            invoice: frame[invoice].astype(str).astype("string"),
            stock: frame[stock].astype(str).astype("string"),
            description: frame[description].astype("string"),
            quantity: frame[quantity].astype("int64"),
            date: pd.to_datetime(frame[date]),
            price: frame[price].astype("float64"),
            customer: frame[customer].astype("Float64").astype("Int64"),
            "Country": frame["Country"].astype("string"),
        }
    )
    out.to_parquet(target, index=False)


_CONVERSIONS: dict[str, Callable[[Path, Path], None]] = {
    "cdnow_master_header": _convert_cdnow_master_header,
    "uci_online_retail_xlsx": _convert_uci_online_retail_xlsx,
    "uci_online_retail_ii_xlsx": functools.partial(_convert_uci_online_retail_xlsx, ii=True),
}


def _download(info: DatasetInfo, data_file: DataFile, target: Path) -> Path:
    """Download, extract, convert and verify one file into ``target``."""
    url = data_file.download_url
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=".download-", dir=target.parent))
    except OSError as error:
        raise DatasetError(
            f"cannot download {info.name!r} into {target.parent}: {error}. Fix: set {ENV_VAR} to a "
            "writable folder."
        ) from error
    try:
        raw = workdir / "download"
        try:
            _http_get(url, raw)
        except OSError as error:  # URLError, HTTPError, timeouts are OSErrors
            raise DatasetNotFoundError(
                f"download of {info.name!r} from {url} failed: {error}. Fix: check the "
                f"connection, or download it by hand from {info.publisher_url} and place "
                f"{data_file.relative_path!r} under {data_home()} (or set {ENV_VAR})."
            ) from error
        member = raw
        if data_file.archive_member:
            try:
                with zipfile.ZipFile(raw) as archive:
                    member = Path(archive.extract(data_file.archive_member, workdir / "unzipped"))
            except (zipfile.BadZipFile, KeyError) as error:
                raise DatasetReadError(
                    f"the download of {info.name!r} from {url} is not a zip holding "
                    f"{data_file.archive_member!r}: {error}. The publisher's file may have "
                    f"changed; download it by hand from {info.publisher_url}."
                ) from error
        converted = workdir / target.name
        if data_file.conversion:
            try:
                _CONVERSIONS[data_file.conversion](member, converted)
            except DatasetError:
                raise
            except Exception as error:
                raise DatasetReadError(
                    f"cannot convert the download of {info.name!r} from {url} "
                    f"({data_file.conversion}): {error}"
                ) from error
        else:
            shutil.move(member, converted)
        actual = _file_sha256(converted)
        record = None
        if actual != data_file.sha256:
            # A converted or re-published file cannot match the mirror's sha256: accept it
            # only if it reproduces the published facts, and record its sha256.
            table = _facts_table(info, _LOADERS[info.loader](info.name, converted))
            bad = table[~table["ok"]]
            if len(bad):
                problems = "; ".join(
                    f"{row.fact}: expected {row.expected:,}, got {row.actual}"
                    for row in bad.itertuples()
                )
                raise DatasetChecksumError(
                    f"the download of {info.name!r} from {url} has sha256 {actual} (the "
                    f"mirror's copy has {data_file.sha256}) and does not reproduce the "
                    f"published facts ({problems}), so it was discarded. Fix: download it by "
                    f"hand from {info.publisher_url} and check it, or set {ENV_VAR} to a folder "
                    "with a verified copy."
                )
            record = {
                "sha256": actual,
                "source_url": url,
                "downloaded_at": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
                "verified_by": "published facts: "
                + ", ".join(f"{r.fact}={r.actual}" for r in table.itertuples()),
                "mirror_sha256": data_file.sha256,
            }
        os.replace(converted, target)
        if record is not None:
            _sidecar(target).write_text(json.dumps(record, indent=2) + "\n")
        return target
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------------ reading
def _read_error(name: str, path: Path, error: Exception) -> DatasetReadError:
    return DatasetReadError(
        f"cannot parse dataset {name!r} from {path}: {type(error).__name__}: {error}. "
        f"Fix: delete the file and place a good copy there (publisher: "
        f"{dataset_info(name).publisher_url}), or set {ENV_VAR} to a folder with one."
    )


def _guarded(reader: Callable[[str, Path], pd.DataFrame]) -> Callable[[str, Path], pd.DataFrame]:
    @functools.wraps(reader)
    def wrapper(name: str, path: Path) -> pd.DataFrame:
        try:
            return reader(name, path)
        except DatasetError:
            raise
        except Exception as error:  # any parser failure is a read error naming the file
            raise _read_error(name, path, error) from error

    return wrapper


@_guarded
def _read_cdnow(name: str, path: Path) -> pd.DataFrame:
    sample = name == "cdnow-sample"
    with _open_binary(path) as handle:
        raw = handle.read()
    has_header = b"customer_id" in raw.split(b"\n", 1)[0]
    names = ["customer_id", "date", "number_of_cds", "dollar_value"]
    if sample:
        names.insert(1, "sample_customer_id")
    frame = pd.read_csv(
        io.BytesIO(raw),
        sep=r"\s+",
        header=None,
        names=names,
        skiprows=1 if has_header else 0,
        dtype={"date": str},
    )
    frame["date"] = pd.to_datetime(frame["date"], format="%Y%m%d").astype("datetime64[ns]")
    integer_columns = ["customer_id", "number_of_cds"] + (["sample_customer_id"] if sample else [])
    for column in integer_columns:
        frame[column] = frame[column].astype("int64")
    frame["dollar_value"] = frame["dollar_value"].astype("float64")
    return frame


@_guarded
def _read_parquet_transactions(name: str, path: Path) -> pd.DataFrame:
    frame = pd.read_parquet(path)
    frame["InvoiceDate"] = frame["InvoiceDate"].astype("datetime64[ns]")
    return frame


@functools.lru_cache(maxsize=8)
def _read_excel_cached(path: str, mtime_ns: int, size: int, sheet: str) -> pd.DataFrame:
    header = 1 if sheet == "Data Dict" else 0
    frame = pd.read_excel(path, sheet_name=sheet, header=header)
    if sheet == "Data Dict":
        frame = frame.dropna(axis=1, how="all").dropna(axis=0, how="all").reset_index(drop=True)
        frame = frame.rename(columns={"Discerption": "Description"})
    return frame


def _read_excel(path: Path, sheet: str) -> pd.DataFrame:
    stat = path.stat()
    return _read_excel_cached(str(path), stat.st_mtime_ns, stat.st_size, sheet).copy()


@_guarded
def _read_ecommerce_churn(name: str, path: Path) -> pd.DataFrame:
    return _read_excel(path, "E Comm")


@_guarded
def _read_online_shoppers(name: str, path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


@_guarded
def _read_customer_personality(name: str, path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, sep="\t")
    frame["Dt_Customer"] = pd.to_datetime(frame["Dt_Customer"], format="%d-%m-%Y").astype(
        "datetime64[ns]"
    )
    return frame


@_guarded
def _read_telco_churn(name: str, path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    text = frame["TotalCharges"].astype(str).str.strip()
    numbers = pd.to_numeric(text.mask(text == ""), errors="coerce")
    unparsed = numbers.isna() & (text != "")
    if unparsed.any():
        raise ValueError(
            f"TotalCharges has {int(unparsed.sum())} non-numeric value(s) other than blanks, "
            f"e.g. {text[unparsed].iloc[0]!r}"
        )
    frame["TotalCharges"] = numbers.astype("float64")
    return frame


@_guarded
def _read_clothing_reviews(name: str, path: Path) -> pd.DataFrame:
    return pd.read_csv(path)


_LOADERS: dict[str, Callable[[str, Path], pd.DataFrame]] = {
    "load_cdnow": _read_cdnow,
    "load_online_retail": _read_parquet_transactions,
    "load_online_retail_ii": _read_parquet_transactions,
    "load_ecommerce_churn": _read_ecommerce_churn,
    "load_online_shoppers": _read_online_shoppers,
    "load_customer_personality": _read_customer_personality,
    "load_telco_churn": _read_telco_churn,
    "load_clothing_reviews": _read_clothing_reviews,
}


def _load(name: str) -> pd.DataFrame:
    info = dataset_info(name)
    return _LOADERS[info.loader](name, fetch(name))


# -------------------------------------------------------------------------- facts
def _compute_facts(name: str, frame: pd.DataFrame) -> dict[str, float]:
    facts: dict[str, float] = {"rows": len(frame)}
    if name in ("cdnow", "cdnow-sample"):
        facts["customers"] = frame["customer_id"].nunique()
    elif name in ("online-retail", "online-retail-ii"):
        roles = transaction_columns(frame)
        facts["invoices"] = frame[roles["invoice"]].nunique()
        facts["customers"] = frame[roles["customer_id"]].nunique()
        facts["rows_without_customer_id"] = int(frame[roles["customer_id"]].isna().sum())
        facts["rows_without_description"] = int(frame["Description"].isna().sum())
        amount = frame[roles["quantity"]].astype("float64") * frame[roles["price"]]
        facts["total_amount"] = round(float(amount.sum()), 2)
    elif name == "ecommerce-churn":
        facts["churners"] = int((frame["Churn"] == 1).sum())
        facts["missing_cells"] = int(frame.isna().sum().sum())
    elif name == "online-shoppers":
        facts["revenue_sessions"] = int(frame["Revenue"].astype(bool).sum())
        facts["rows_with_missing"] = int(frame.isna().any(axis=1).sum())
        facts["duplicate_rows"] = int(frame.duplicated().sum())
    elif name == "customer-personality":
        facts["missing_income"] = int(frame["Income"].isna().sum())
        facts["responders"] = int((frame["Response"] == 1).sum())
    elif name == "telco-churn":
        facts["churners"] = int((frame["Churn"] == "Yes").sum())
        facts["blank_total_charges"] = int(frame["TotalCharges"].isna().sum())
    elif name == "clothing-reviews":
        counts = frame["Rating"].value_counts()
        for rating in range(1, 6):
            facts[f"rating_{rating}"] = int(counts.get(rating, 0))
        facts["reviews_without_text"] = int(frame["Review Text"].isna().sum())
    return facts


def _facts_table(info: DatasetInfo, frame: pd.DataFrame) -> pd.DataFrame:
    actual = _compute_facts(info.name, frame)
    rows = []
    for fact, expected in info.facts:
        value = actual.get(fact)
        ok = value is not None and bool(np.isclose(value, expected, rtol=0, atol=0.005))
        rows.append({"fact": fact, "expected": expected, "actual": value, "ok": ok})
    return pd.DataFrame(rows, columns=["fact", "expected", "actual", "ok"])


def check_facts(name: str) -> pd.DataFrame:
    """Compare the loaded dataset with the facts published for it (DATASETS.md).

    Parameters
    ----------
    name : str
        Dataset name.

    Returns
    -------
    pandas.DataFrame
        One row per fact with columns ``fact``, ``expected``, ``actual``, ``ok``.
    """
    info = dataset_info(name)
    return _facts_table(info, _load(name))


# ---------------------------------------------------------------- overview tables
def list_datasets() -> pd.DataFrame:
    """Table of the registry and where each dataset was found.

    Returns
    -------
    pandas.DataFrame
        One row per dataset: ``name``, ``title``, ``licence``, ``rows`` (expected),
        ``available`` (bool, found without download) and ``location`` (path of the
        first file found, or ``""``). Checksums are not computed; see
        :func:`verify_datasets`.
    """
    rows = []
    for name, info in DATASETS.items():
        found = [_locate(f) for f in info.files]
        rows.append(
            {
                "name": name,
                "title": info.title,
                "licence": info.licence,
                "rows": info.expected_rows,
                "available": all(p is not None for p in found),
                "location": str(found[0]) if found[0] is not None else "",
            }
        )
    return pd.DataFrame(rows)


def verify_datasets(names: Iterable[str] | None = None) -> pd.DataFrame:
    """Verify the sha256 and row count of every dataset file found locally.

    Nothing is downloaded.

    Parameters
    ----------
    names : iterable of str, optional
        Datasets to verify; default all of :data:`DATASETS`.

    Returns
    -------
    pandas.DataFrame
        One row per file: ``name``, ``file`` (relative path), ``path`` (where found,
        or ``""``), ``status`` (``"ok"``, ``"missing"``, ``"checksum mismatch"`` or
        ``"unreadable"``), ``sha256_ok`` (bool), ``rows`` (loaded rows, or ``<NA>``),
        ``expected_rows``, ``rows_ok`` (bool) and ``message`` (the error, if any).
    """
    if isinstance(names, str):
        names = [names]
    selected = list(DATASETS) if names is None else list(names)
    rows = []
    for name in selected:
        info = dataset_info(name)
        for data_file in info.files:
            row = {
                "name": name,
                "file": data_file.relative_path,
                "path": "",
                "status": "missing",
                "sha256_ok": False,
                "rows": pd.NA,
                "expected_rows": info.expected_rows,
                "rows_ok": False,
                "message": "",
            }
            path = _locate(data_file)
            if path is not None:
                row["path"] = str(path)
                try:
                    _verified_path(name, data_file, path)
                    row["sha256_ok"] = True
                    row["rows"] = len(_LOADERS[info.loader](name, path))
                    row["rows_ok"] = row["rows"] == info.expected_rows
                    row["status"] = "ok"
                except DatasetChecksumError as error:
                    row["status"], row["message"] = "checksum mismatch", str(error)
                except DatasetReadError as error:
                    row["status"], row["message"] = "unreadable", str(error)
            rows.append(row)
    table = pd.DataFrame(rows)
    table["rows"] = table["rows"].astype("Int64")
    return table


# ------------------------------------------------------------------------ loaders
def load_cdnow(sample: bool = False) -> pd.DataFrame:
    """CDNOW purchase log (Fader & Hardie), from the data home or the embedded copy.

    Parameters
    ----------
    sample : bool, default False
        False: the full log of the 23,570-customer cohort (69,659 purchases).
        True: the 1/10th systematic sample of 2,357 customers (6,919 purchases)
        used in the BG/NBD paper.

    Returns
    -------
    pandas.DataFrame
        One row per purchase record as published (same-day purchases are *not*
        merged), columns

        - ``customer_id`` int64: the customer's id in the full log (1..23,570)
        - ``sample_customer_id`` int64 (``sample=True`` only): the id within the
          sample (1..2,357); the sample file's first column is ``customer_id``
        - ``date`` datetime64[ns]: purchase day
        - ``number_of_cds`` int64
        - ``dollar_value`` float64

    References
    ----------
    Fader, P. S. and Hardie, B. G. S. (2001). Forecasting repeat sales at CDNOW: a
    case study. Interfaces, 31(3), S94-S107.
    Fader, P. S., Hardie, B. G. S. and Lee, K. L. (2005). "Counting your customers"
    the easy way: an alternative to the Pareto/NBD model. Marketing Science, 24(2),
    275-284.
    """
    return _load("cdnow-sample" if sample else "cdnow")


def load_online_retail() -> pd.DataFrame:
    """UCI Online Retail: UK online gift retailer, 2010-12-01 .. 2011-12-09, as published.

    Returns
    -------
    pandas.DataFrame
        541,909 invoice lines with the UCI column names:

        - ``InvoiceNo`` str (starting with ``C``: a cancellation)
        - ``StockCode`` str, ``Description`` str (1,454 missing)
        - ``Quantity`` int64 (negative on cancellations)
        - ``InvoiceDate`` datetime64[ns]
        - ``UnitPrice`` float64 (sterling)
        - ``CustomerID`` Int64 (nullable; 135,080 missing)
        - ``Country`` str

        Nothing is removed; see :func:`clean_transactions`.

    References
    ----------
    Chen, D., Sain, S. L. and Guo, K. (2012). Data mining for the online retail
    industry: a case study of RFM model-based customer segmentation using data
    mining. Journal of Database Marketing & Customer Strategy Management, 19(3),
    197-208.
    """
    return _load("online-retail")


OVERLAP_START = pd.Timestamp("2010-12-01")
"""First day present in both Online Retail II (2009-2010) and Online Retail."""
OVERLAP_END = pd.Timestamp("2010-12-10")
"""First day after the overlap (exclusive end): the overlap is 2010-12-01 .. 2010-12-09."""

_II_NAMES = {"InvoiceNo": "Invoice", "UnitPrice": "Price", "CustomerID": "Customer ID"}


def load_online_retail_ii(include_2010_2011: bool = False) -> pd.DataFrame:
    """UCI Online Retail II, sheet "Year 2009-2010", optionally extended to 2011-12-09.

    Parameters
    ----------
    include_2010_2011 : bool, default False
        If True, append Online Retail (:func:`load_online_retail`, renamed to the II
        column names) so the frame spans 2009-12-01 .. 2011-12-09. The two files
        share the days 2010-12-01 .. 2010-12-09 (22,523 identical lines); those days
        are taken from the Online Retail II file only, and Online Retail contributes
        its lines from 2010-12-10 on, so nothing is counted twice
        (525,461 + 519,386 = 1,044,847 lines).

    Returns
    -------
    pandas.DataFrame
        Invoice lines with the published column names:

        - ``Invoice`` str (starting with ``C``: a cancellation)
        - ``StockCode`` str, ``Description`` str (2,928 missing)
        - ``Quantity`` int64
        - ``InvoiceDate`` datetime64[ns]
        - ``Price`` float64 (sterling)
        - ``Customer ID`` Int64 (nullable)
        - ``Country`` str

        Index ``0..n-1``, rows in file order (2009-2010 lines first).

    References
    ----------
    Chen, D. (2019). Online Retail II [Dataset]. UCI Machine Learning Repository.
    https://doi.org/10.24432/C5CG6D
    """
    frame = _load("online-retail-ii")
    if not include_2010_2011:
        return frame
    later = load_online_retail().rename(columns=_II_NAMES)
    later = later.loc[later["InvoiceDate"] >= OVERLAP_END, list(frame.columns)]
    combined = pd.concat([frame, later], ignore_index=True)
    return combined.astype(frame.dtypes.to_dict())


def load_ecommerce_churn() -> pd.DataFrame:
    """E-Commerce customer churn (Kaggle, A. Verma), sheet ``E Comm``, as published.

    Returns
    -------
    pandas.DataFrame
        5,630 customers x 20 columns. ``CustomerID``, ``Churn`` (1 = churned, 948
        customers), ``CityTier``, ``NumberOfDeviceRegistered``, ``SatisfactionScore``
        (1-5), ``NumberOfAddress``, ``Complain`` (0/1) are int64;
        ``PreferredLoginDevice``, ``PreferredPaymentMode``, ``Gender``,
        ``PreferedOrderCat``, ``MaritalStatus`` are str; ``Tenure``,
        ``WarehouseToHome``, ``HourSpendOnApp``, ``OrderAmountHikeFromlastYear``,
        ``CouponUsed``, ``OrderCount``, ``DaySinceLastOrder``, ``CashbackAmount`` are
        float64. The 1,856 missing cells (in seven of the float columns) are real
        missingness and are kept as NaN. Category spellings are as published
        (e.g. both ``"Phone"`` and ``"Mobile Phone"``). Column meanings:
        :func:`load_ecommerce_churn_dictionary`.

    References
    ----------
    Verma, A. (2020). Ecommerce Customer Churn Analysis and Prediction. Kaggle.
    """
    return _load("ecommerce-churn")


def load_ecommerce_churn_dictionary() -> pd.DataFrame:
    """The ``Data Dict`` sheet of the E-Commerce churn workbook.

    Returns
    -------
    pandas.DataFrame
        One row per variable with columns ``Data`` (sheet), ``Variable`` and
        ``Description`` (all str; the sheet's misspelt "Discerption" header is renamed
        and its empty leading column and rows are dropped).
    """
    path = fetch("ecommerce-churn")
    try:
        return _read_excel(path, "Data Dict")
    except Exception as error:
        raise _read_error("ecommerce-churn", path, error) from error


def load_online_shoppers() -> pd.DataFrame:
    """UCI Online Shoppers Purchasing Intention sessions, as published.

    Returns
    -------
    pandas.DataFrame
        12,330 sessions x 18 columns. Page counts and durations (``Administrative``,
        ``Administrative_Duration``, ``Informational``, ``Informational_Duration``,
        ``ProductRelated``, ``ProductRelated_Duration``), ``BounceRates``,
        ``ExitRates``, ``PageValues``, ``SpecialDay`` are float64 (14 rows have missing
        values; some durations are -1, as published); ``Month`` str (``"June"`` spelled
        out, the others abbreviated); ``OperatingSystems``, ``Browser``, ``Region``,
        ``TrafficType`` int64 codes; ``VisitorType`` str; ``Weekend`` and ``Revenue``
        bool (``Revenue`` True for 1,908 sessions). 119 rows are exact duplicates.

    References
    ----------
    Sakar, C. O. et al. (2019). Neural Computing and Applications, 31, 6893-6908.
    """
    return _load("online-shoppers")


def load_customer_personality() -> pd.DataFrame:
    """Customer Personality Analysis (Kaggle, tab separated), as published.

    Returns
    -------
    pandas.DataFrame
        2,240 customers x 29 columns. ``Education``, ``Marital_Status`` str;
        ``Income`` float64 (24 missing); ``Dt_Customer`` datetime64[ns] (enrolment
        day, parsed from ``dd-mm-yyyy``); every other column int64, including the
        campaign flags ``AcceptedCmp1..5``, ``Complain`` and the label ``Response``
        (1 for 334 customers). ``Z_CostContact`` and ``Z_Revenue`` are constants.
    """
    return _load("customer-personality")


def load_telco_churn() -> pd.DataFrame:
    """IBM Telco Customer Churn (off-domain reference benchmark), as published.

    Returns
    -------
    pandas.DataFrame
        7,043 customers x 21 columns. ``SeniorCitizen`` and ``tenure`` int64;
        ``MonthlyCharges`` float64; ``TotalCharges`` float64, where the 11 values the
        file leaves blank (new customers with ``tenure`` 0) are NaN, kept visible;
        every other column, including ``customerID`` and ``Churn`` (``"Yes"`` for
        1,869), is str.
    """
    return _load("telco-churn")


def load_clothing_reviews() -> pd.DataFrame:
    """Women's E-Commerce Clothing Reviews (Kaggle), as published.

    Returns
    -------
    pandas.DataFrame
        23,486 reviews x 11 columns: ``Unnamed: 0`` int64 (the publisher's row
        number), ``Clothing ID``, ``Age``, ``Rating`` (1-5), ``Recommended IND`` (0/1),
        ``Positive Feedback Count`` int64; ``Title``, ``Review Text`` (845 missing),
        ``Division Name``, ``Department Name``, ``Class Name`` str. ``Recommended IND``
        is nearly a function of ``Rating``: using it to predict ``Rating`` is leakage.
    """
    return _load("clothing-reviews")
