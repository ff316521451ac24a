"""Shared helpers of the neural family: device resolution, seeds, batches to tensors."""

import numpy as np
import scipy.sparse as sp
import torch
from sklearn.utils import check_random_state


def resolve_device(device: str | torch.device) -> torch.device:
    """Turn a ``device`` parameter into a :class:`torch.device`, failing clearly.

    Parameters
    ----------
    device : {"cpu", "cuda", "auto"} or str or torch.device
        ``"auto"`` picks CUDA when ``torch.cuda.is_available()`` and the CPU otherwise;
        ``"cuda"`` (or ``"cuda:N"``) requires a CUDA build of torch and a visible GPU.

    Returns
    -------
    torch.device
        The device to train and predict on.
    """
    if isinstance(device, torch.device):
        name = str(device)
    elif isinstance(device, str):
        name = device.strip().lower()
    else:
        raise TypeError(
            f"device must be 'cpu', 'cuda' or 'auto', got {device!r} of type "
            f"{type(device).__name__}; pass one of those strings."
        )
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cpu":
        return torch.device("cpu")
    if name == "cuda" or name.startswith("cuda:"):
        if not torch.cuda.is_available():
            raise ValueError(
                f"device={device!r} was requested but CUDA is not available "
                f"(torch {torch.__version__}, torch.cuda.is_available() is False); "
                "use device='cpu', or device='auto' to fall back to the CPU."
            )
        return torch.device(name)
    raise ValueError(f"device must be 'cpu', 'cuda' or 'auto', got {device!r}.")


def _seed_from_random_state(random_state) -> int:
    """Draw one int seed from ``random_state`` (int, RandomState or None)."""
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


def _rows_to_tensor(X, rows, device: torch.device) -> torch.Tensor:
    """float32 tensor of ``X[rows]``; densifies sparse rows batch by batch."""
    batch = X[rows]
    if sp.issparse(batch):
        batch = batch.toarray()
    return torch.tensor(np.asarray(batch, dtype=np.float32), device=device)
