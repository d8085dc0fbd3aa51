"""The filter's model (#26): logistic regression over hashed tokens, chosen by measurement
over naive Bayes (bench/results.md), fitted with SciPy. Stored as plain numpy arrays (no
pickle), so a damaged file fails to load instead of running anything; scoring is one sparse
dot product.
"""

import io
import math
import zlib
from array import array

import numpy as np

from spam.features import tokens

N_FEATURES = 2**18  # 1 MB of float32 weights; collisions cost little at this size
FORMAT = 1  # bumped when features.py changes meaning: older models are not used
C = 30.0  # weak regularisation measured best on both of the bench's test sets (3-100 tried)


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
        both kinds needed. L2-regularised logistic regression with balanced classes, solved
        by SciPy's L-BFGS on the matrix as it is: the same objective as scikit-learn's
        LogisticRegression(C=C, class_weight="balanced"), whose import alone would take 86 of
        the worker's 200 MB (bench/results.md)."""
        from scipy.optimize import minimize

        y = np.asarray(labels, dtype=np.float64)
        sign = 2 * y - 1
        spam = y.sum()
        weight = np.where(y == 1, len(y) / (2 * spam), len(y) / (2 * (len(y) - spam)))

        def loss(theta):
            w, b = theta[:-1], theta[-1]
            # Products in float32, as the matrix is: float64 would copy it at every step.
            margin = sign * (rows @ w.astype(np.float32) + b)
            slope = -weight * sign * 0.5 * (1 - np.tanh(margin / 2))  # -w·s·sigmoid(-m)
            value = (weight * np.logaddexp(0, -margin)).sum() + w @ w / (2 * C)
            gradient = rows.T @ slope.astype(np.float32)
            return value, np.append(gradient + w / C, slope.sum())

        found = minimize(loss, np.zeros(N_FEATURES + 1), jac=True, method="L-BFGS-B",
                         options={"maxiter": 300, "maxcor": 5})  # fmt: skip
        return cls(found.x[:-1].astype(np.float32), found.x[-1])

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
