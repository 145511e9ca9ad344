"""The course's first classifiers, in plain NumPy: k-nearest neighbours (with k chosen by
cross-validation), the linear classifier with SVM or softmax loss, and the random-search
baseline. They give the baselines every later model is compared to.

Example:
    >>> import numpy as np
    >>> from glassnet.classic import KNearestNeighbors
    >>> knn = KNearestNeighbors(k=1, metric="l1").fit([[0, 0], [9, 9]], [0, 1])
    >>> knn.predict([[1, 2], [8, 7]])
    array([0, 1])
"""

from glassnet.classic.cross_validation import CrossValidationResult, cross_validate_k
from glassnet.classic.distance import (
    l1_distances,
    l2_distances,
    pairwise_distances,
    pairwise_distances_naive,
)
from glassnet.classic.knn import KNearestNeighbors, Neighbors, majority_vote
from glassnet.classic.linear import LinearClassifier
from glassnet.classic.losses import softmax_loss, softmax_loss_naive, svm_loss, svm_loss_naive
from glassnet.classic.random_search import RandomSearchResult, random_search

__all__ = [
    "CrossValidationResult",
    "KNearestNeighbors",
    "LinearClassifier",
    "Neighbors",
    "RandomSearchResult",
    "cross_validate_k",
    "l1_distances",
    "l2_distances",
    "majority_vote",
    "pairwise_distances",
    "pairwise_distances_naive",
    "random_search",
    "softmax_loss",
    "softmax_loss_naive",
    "svm_loss",
    "svm_loss_naive",
]
