"""Training in a process of its own: ``python -m intents.matching.training_process``.

The bot's process never imports scikit-learn or SciPy, not even on its first start or on a
``/reload`` of changed content: :meth:`MatcherCache.train_apart` starts this module, which reads
what to train from its standard input (a pickle from the parent: the content, the background
phrases, the scorer's settings, the cache folder and key), trains, stores the result in the cache
and exits; the parent then loads the file. Training leaves hundreds of megabytes of freed heap and
about 80 MB of libraries behind; they leave with this process. Exit status 0: stored; anything
else: the parent trains in its own process instead.
"""

from __future__ import annotations

import pickle
import sys

from intents.matching.cache import MatcherCache
from intents.matching.engine import train


def main() -> int:
    content, background, config, directory, key = pickle.loads(sys.stdin.buffer.read())
    trained = train(content, config, background)
    return 0 if MatcherCache(directory).store(key, trained) else 1


if __name__ == "__main__":
    sys.exit(main())
