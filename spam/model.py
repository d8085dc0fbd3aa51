"""The filter's model (#26): logistic regression over hashed tokens (scikit-learn), chosen by
measurement (bench/results.md). Stored as plain numpy arrays (no pickle), so a damaged file
fails to load instead of running anything; scoring is one sparse dot product.
"""

import io
import math

import numpy as np
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression
from sklearn.utils import murmurhash3_32

from spam.features import tokens

N_FEATURES = 2**18  # 1 MB of float32 weights; collisions cost little at this size
FORMAT = 1  # bumped when features.py changes meaning: older models are not used
C = 10.0  # inverse regularisation: 4 missed spam at 0.9 on the bench's held-out half


def index(token):
    return murmurhash3_32(token, positive=True) % N_FEATURES


def vector(signals):
    """(indices, values, said) of one comment: the l2-normalised token weights."""
    found, said = tokens(signals)
    weights = {}
    for token, weight in found.items():
        i = index(token)
        weights[i] = weights.get(i, 0.0) + weight
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return found, {i: w / norm for i, w in weights.items()}, said


def matrix(all_signals):
    """The sparse matrix of many comments, built row by row in compact arrays."""
    indptr, indices, data = [0], [], []
    for signals in all_signals:
        _, weights, _ = vector(signals)
        indices.extend(weights)
        data.extend(weights.values())
        indptr.append(len(indices))
    return csr_matrix(
        (np.array(data, dtype=np.float32), np.array(indices, dtype=np.int32), indptr),
        shape=(len(indptr) - 1, N_FEATURES),
    )


class Model:
    def __init__(self, coef, intercept):
        self.coef, self.intercept = coef, float(intercept)

    @classmethod
    def fit(cls, all_signals, labels):
        """Learn from comments' Signals and their labels (1 spam, 0 good); both kinds needed."""
        regression = LogisticRegression(C=C, solver="liblinear", class_weight="balanced")
        regression.fit(matrix(all_signals), np.array(labels, dtype=np.int8))
        return cls(regression.coef_[0].astype(np.float32), regression.intercept_[0])

    def explain(self, signals, *, count=4):
        """(probability of spam, the biggest reasons in words)."""
        found, weights, said = vector(signals)
        z = self.intercept + sum(float(self.coef[i]) * w for i, w in weights.items())
        p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
        sign = 1 if p >= 0.5 else -1
        pushes = {}
        for token in found:  # a reason is said once, however many tokens say it
            words = said.get(token)
            i = index(token)
            push = sign * float(self.coef[i]) * weights[i]
            if words and push > 0.01:
                pushes[words] = max(pushes.get(words, 0), push)
        top = sorted(pushes, key=pushes.get, reverse=True)[:count]
        return p, ", ".join(top)

    def score(self, signals):
        return self.explain(signals, count=0)[0]

    def dumps(self):
        out = io.BytesIO()
        np.savez_compressed(out, coef=self.coef, intercept=np.array([self.intercept]),
                            format=np.array([FORMAT, N_FEATURES]))  # fmt: skip
        return out.getvalue()

    @classmethod
    def loads(cls, data):
        """The model in ``data``; ValueError when it is damaged or of another format."""
        try:
            arrays = np.load(io.BytesIO(bytes(data)), allow_pickle=False)
            form, coef, intercept = arrays["format"], arrays["coef"], arrays["intercept"]
        except Exception as error:  # zip, npy and key errors: all mean "damaged"
            raise ValueError(f"the stored model cannot be read ({error})") from None
        if list(form) != [FORMAT, N_FEATURES] or coef.shape != (N_FEATURES,):
            raise ValueError("the stored model is of another version: train it again")
        return cls(coef.astype(np.float32), intercept[0])
