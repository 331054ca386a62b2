"""Reading a customer's message before matching it: follow-ups, slots, language, layouts,
transliteration and typos.

The entry point is ``Reader(content, decide).understand(text, context)``.
"""

from intents.understanding.reader import Context, Decide, Reader, Understanding
from intents.understanding.slots import SLOT_NAMES, Slot

__all__ = ["SLOT_NAMES", "Context", "Decide", "Reader", "Slot", "Understanding"]
