from __future__ import annotations

import threading

import pytest

from intents.matching.stemming import stem_text, stem_word


@pytest.mark.parametrize(
    ("text", "stems"),
    [
        ("my cards arrived", "my card arriv"),
        ("заказа заказы заказами", "заказ заказ заказ"),
        ("оплатил картой visa 2 раза", "оплат карт visa 2 раз"),  # scripts mixed word by word
        ("", ""),
    ],
)
def test_stem_text(text: str, stems: str) -> None:
    assert stem_text(text) == stems


def test_stemmers_are_per_thread() -> None:
    """Training runs in a worker thread while messages are scored: a shared stemmer would mix
    the two words it is given at once."""
    words = [f"{base}{i}" for i in range(2000) for base in ("заказами", "deliveries")]
    expected = {word: stem_word.__wrapped__(word) for word in words}
    results: list[bool] = []

    def work() -> None:
        results.append(all(stem_word.__wrapped__(word) == expected[word] for word in words))

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results == [True] * 4
