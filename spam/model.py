"""The filter's model (#26): logistic regression over hashed tokens (scikit-learn), chosen by
measurement (bench/results.md). Stored as plain numpy arrays (no pickle), so a damaged file
fails to load instead of running anything; scoring is one sparse dot product.
"""

import io
import math
import zlib
from array import array

import numpy as np

from spam.features import tokens

N_FEATURES = 2**18  # 1 MB of float32 weights; collisions cost little at this size
FORMAT = 1  # bumped when features.py changes meaning: older models are not used
C = 10.0  # inverse regularisation: 4 missed spam at 0.9 on the bench's held-out half


def index(token):
    # CRC-32: the same in every process, in C, and no scikit-learn (100 MB) in web workers.
    return zlib.crc32(token.encode()) % N_FEATURES


def vector(signals):
    """(indices, values, said) of one comment: the l2-normalised token weights."""
    found, said = tokens(signals)
    weights = {}
    for token, weight in found.items():
        i = index(token)
        weights[i] = weights.get(i, 0.0) + weight
    norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
    return found, {i: w / norm for i, w in weights.items()}, said


class Rows:
    """A sparse matrix built one comment at a time in compact C arrays (4 bytes a value, not
    a Python object each): 100,000 comments take tens of MB, not hundreds."""

    def __init__(self):
        self.indptr, self.indices, self.data = array("q", [0]), array("i"), array("f")

    def add(self, signals):
        _, weights, _ = vector(signals)
        self.indices.extend(weights)
        self.data.extend(weights.values())
        self.indptr.append(len(self.indices))

    def matrix(self):
        from scipy.sparse import csr_matrix

        arrays = (np.frombuffer(self.data, dtype=np.float32),
                  np.frombuffer(self.indices, dtype=np.int32),
                  np.frombuffer(self.indptr, dtype=np.int64))  # fmt: skip
        return csr_matrix(arrays, shape=(len(self.indptr) - 1, N_FEATURES), copy=False)


def matrix(all_signals):
    rows = Rows()
    for signals in all_signals:
        rows.add(signals)
    return rows.matrix()


class Model:
    def __init__(self, coef, intercept):
        self.coef, self.intercept = coef, float(intercept)

    @classmethod
    def fit(cls, rows, labels):
        """Learn from a matrix of comments (see ``matrix``) and their labels (1 spam, 0 good);
        both kinds needed. SAGA works on the matrix as it is: liblinear would copy it."""
        from sklearn.linear_model import LogisticRegression  # only the worker loads it

        regression = LogisticRegression(C=C, solver="saga", class_weight="balanced", tol=1e-3)
        regression.fit(rows, np.asarray(labels, dtype=np.int8))
        return cls(regression.coef_[0].astype(np.float32), regression.intercept_[0])

    def scores(self, rows):
        """The probability of spam of each row of a matrix."""
        z = np.clip(rows @ self.coef + self.intercept, -30, 30)
        return 1 / (1 + np.exp(-z))

    def explain(self, signals, *, count=4):
        """(probability of spam, the biggest reasons in words)."""
        found, weights, said = vector(signals)
        at = np.fromiter(weights, dtype=np.int64, count=len(weights))
        pushes = self.coef[at] * np.fromiter(weights.values(), dtype=np.float32, count=len(at))
        z = self.intercept + float(pushes.sum())
        p = 1 / (1 + math.exp(-max(-30.0, min(30.0, z))))
        if not count:
            return p, ""
        push_of = dict(zip(weights, (pushes if p >= 0.5 else -pushes).tolist(), strict=True))
        reasons = {}
        for token in found:  # a reason is said once, however many tokens say it
            words, push = said.get(token), push_of[index(token)]
            if words and push > 0.01:
                reasons[words] = max(reasons.get(words, 0), push)
        return p, ", ".join(sorted(reasons, key=reasons.get, reverse=True)[:count])

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
