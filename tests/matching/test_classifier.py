from __future__ import annotations

import numpy as np

from intents import Engine


def test_fast_margins_match_the_sparse_product(engine: Engine) -> None:
    """The per-message path gives the numbers sklearn's transform and a matrix product give."""
    classifier = engine.scorer("ru").classifier
    texts = ["где мой заказ?", "Как ОПЛАТИТЬ картой 2 раза", "", "!!!", "zzzz qqqq", "заказз"]
    expected = classifier.features(texts) @ classifier._coef_t + classifier._intercept
    np.testing.assert_allclose(classifier.margins(texts), expected, atol=1e-5)
