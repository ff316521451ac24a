"""Neural networks (神经网络) for analytical eCRM, built on PyTorch.

Four estimator families, all following the scikit-learn estimator contract:

- :class:`TorchMLPClassifier` and :class:`TorchMLPRegressor`: multilayer perceptrons [1]_
  trained with AdamW on mini-batches (churn probability, customer value, satisfaction).
- :class:`SelfOrganizingMap`: a Kohonen map [2]_ [3]_ trained with vectorized mini-batch updates
  (numpy on the CPU, torch on CUDA), with quantization and topographic errors and a U-matrix.
- :class:`SOMClustering`: customer segmentation by clustering the map's codebook and
  labelling each customer through its best-matching unit [4]_.
- :class:`TSKFuzzyClassifier` and :class:`TSKFuzzyRegressor`: neuro-fuzzy (Takagi-Sugeno-Kang,
  ANFIS-style [5]_) rule bases of at most 30 rules with at most 3 linguistic conditions each,
  whose membership functions and consequents are tuned by gradient descent (the neuro-fuzzy
  hybrid lives here, with its optimizer, on the public API of :mod:`ecrm_methods.fuzzy`).

:func:`make_text_mlp_classifier` builds the review-text path for satisfaction
(TF-IDF -> MLP) as one pipeline.

Why a thin wrapper and not skorch: skorch is not installed in the project environment,
and a ~300-line wrapper of our own keeps one dependency fewer while giving full control
over determinism (every random draw -- weight init, shuffling, dropout masks, the
validation split -- comes from generators seeded by ``random_state``, so two fits with one
seed are identical on CPU and the global torch RNG is never touched) and over what
:func:`sklearn.utils.estimator_checks.parametrize_with_checks` needs (sparse input,
error messages, float64 outputs).

Threads: nothing here calls ``torch.set_num_threads``. Small networks train several times
faster with ``torch.set_num_threads(1)`` when other processes share the cores (two pytest
workers on a 2-core machine, parallel benchmark jobs); set it in your own script if needed.

References
----------
.. [1] Rumelhart, D. E., Hinton, G. E. & Williams, R. J. (1986). Learning representations by
   back-propagating errors. *Nature* 323, 533-536.
.. [2] Kohonen, T. (1982). Self-organized formation of topologically correct feature maps.
   *Biological Cybernetics* 43, 59-69.
.. [3] Kohonen, T. (2013). Essentials of the self-organizing map. *Neural Networks* 37, 52-65.
.. [4] Vesanto, J. & Alhoniemi, E. (2000). Clustering of the self-organizing map.
   *IEEE Transactions on Neural Networks* 11(3), 586-600.
.. [5] Jang, J.-S. R. (1993). ANFIS: adaptive-network-based fuzzy inference system. *IEEE
   Transactions on Systems, Man, and Cybernetics* 23(3), 665-685.
"""

from ecrm_methods.neural._utils import resolve_device
from ecrm_methods.neural.mlp import TorchMLPClassifier, TorchMLPRegressor
from ecrm_methods.neural.neuro_fuzzy import TSKFuzzyClassifier, TSKFuzzyRegressor
from ecrm_methods.neural.som import SelfOrganizingMap, SOMClustering
from ecrm_methods.neural.text import make_text_mlp_classifier

__all__ = [
    "TorchMLPClassifier",
    "TorchMLPRegressor",
    "SelfOrganizingMap",
    "SOMClustering",
    "TSKFuzzyClassifier",
    "TSKFuzzyRegressor",
    "make_text_mlp_classifier",
    "resolve_device",
]
