"""Review text -> TF-IDF -> MLP pipeline for customer satisfaction."""

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import FunctionTransformer

from ecrm_methods.neural.mlp import TorchMLPClassifier


# ------------------------------------------------------------------------ text path
def _fill_missing_text(texts) -> np.ndarray:
    """Review texts as a 1-D array of str, missing reviews as empty strings."""
    array = np.asarray(texts, dtype=object)
    if array.ndim == 2 and array.shape[1] == 1:
        array = array[:, 0]
    if array.ndim != 1:
        raise ValueError(
            f"review text must be one column of strings, got an array of shape {array.shape}; "
            "pass text_column to pick the column from a DataFrame."
        )
    missing = pd.isna(array)  # None, NaN and pd.NA
    array = array.copy()
    array[missing] = ""
    return array.astype(str)


def make_text_mlp_classifier(
    text_column: str | None = None,
    *,
    max_features: int = 20_000,
    ngram_range: tuple[int, int] = (1, 2),
    min_df: int = 2,
    stop_words: str | Sequence[str] | None = "english",
    **mlp_params,
) -> Pipeline:
    """Review text -> TF-IDF -> :class:`TorchMLPClassifier`, as one pipeline.

    The satisfaction path for review data such as the Women's clothing reviews: the
    TF-IDF vocabulary is fitted inside the training folds only, the sparse TF-IDF matrix
    goes straight into the MLP (densified per mini-batch) and missing reviews count as
    empty text. A sentence-embedding model was not used: the one packaged option
    (sentence-transformers) downloads its weights from a model hub at run time, which the
    project's machines cannot reach.

    Parameters
    ----------
    text_column : str or None, default=None
        Column holding the review text when the pipeline is fed a DataFrame (the other
        columns are dropped); None when it is fed a 1-D sequence of texts.
    max_features : int, default=20000
        Vocabulary size of the TF-IDF vectorizer.
    ngram_range : tuple of int, default=(1, 2)
        Word n-grams to use.
    min_df : int, default=2
        Minimum number of reviews a term must appear in.
    stop_words : "english", list of str or None, default="english"
        Stop words for :class:`~sklearn.feature_extraction.text.TfidfVectorizer`.
    **mlp_params
        Parameters of :class:`TorchMLPClassifier` (e.g. ``class_weight="balanced"``).

    Returns
    -------
    pipeline : sklearn.pipeline.Pipeline
        Unfitted steps ``"text_features"`` and ``"mlp"``.

    References
    ----------
    .. [1] Salton, G. & Buckley, C. (1988). Term-weighting approaches in automatic text
       retrieval. *Information Processing & Management* 24(5), 513-523.
    """
    vectorizer = Pipeline(
        [
            ("fill_missing", FunctionTransformer(_fill_missing_text)),
            (
                "tfidf",
                TfidfVectorizer(
                    max_features=max_features,
                    ngram_range=ngram_range,
                    min_df=min_df,
                    stop_words=stop_words,
                    sublinear_tf=True,
                    dtype=np.float32,
                ),
            ),
        ]
    )
    if text_column is not None:
        vectorizer = ColumnTransformer([("review_text", vectorizer, text_column)])
    return Pipeline([("text_features", vectorizer), ("mlp", TorchMLPClassifier(**mlp_params))])
