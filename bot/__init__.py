"""The application: settings, the conversation core, the Telegram runtimes, the CLI, the demo.

Start with :mod:`bot.app` (the composition root) and :mod:`bot.core` (the logic, no Telegram).
"""

__version__ = "0.1.0"
