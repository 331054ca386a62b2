"""Runtime adapters: the only code that imports a Telegram client library (aiogram or
python-telegram-bot). They translate updates into core events and core actions into API calls."""
