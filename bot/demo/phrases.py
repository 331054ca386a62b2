"""What the demo's customers write: everyday questions in their own words (not the content's
examples, so the matcher is really tried), requests for a person, topics that always go to
people, and questions the shipped content does not cover at all (the planted content gaps)."""

from __future__ import annotations

__all__ = ["ASK_PERSON", "AUTOMATIC", "GAPS", "QUESTIONS", "REPLIES", "SMALL_TALK"]

# intent (what the customer means) → language → phrasings
QUESTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "order_status": {
        "ru": (
            "где мой заказ?",
            "заказ до сих пор не пришёл, где он",
            "подскажите статус заказа",
            "когда приедет моя посылка",
            "отследить заказ как",
        ),
        "en": (
            "where is my order?",
            "my package hasn't arrived yet",
            "order status please",
            "can you track my parcel",
            "when will my order get here",
        ),
    },
    "delivery_time": {
        "ru": (
            "сколько идёт доставка?",
            "за сколько дней доставите в Казань",
            "как быстро привезёте",
        ),
        "en": (
            "how long does shipping take?",
            "how many days for delivery to Leeds",
            "how fast do you deliver",
        ),
    },
    "delivery_cost": {
        "ru": ("сколько стоит доставка", "доставка платная?", "цена доставки до двери"),
        "en": ("how much is shipping", "is delivery free?", "shipping cost to my door"),
    },
    "return_item": {
        "ru": ("хочу вернуть товар", "как оформить возврат", "не подошёл размер, можно вернуть?"),
        "en": (
            "i want to return an item",
            "how do I send something back",
            "wrong size, can I return it?",
        ),
    },
    "refund_status": {
        "ru": ("когда вернут деньги за возврат", "деньги за возврат так и не пришли"),
        "en": ("when will I get my refund", "still waiting for my refund"),
    },
    "payment_methods": {
        "ru": ("как можно оплатить?", "принимаете карты?", "можно оплатить при получении"),
        "en": (
            "what payment methods do you accept",
            "can I pay by card",
            "cash on delivery possible?",
        ),
    },
    "payment_failed": {
        "ru": ("не проходит оплата", "карта не проходит при оплате"),
        "en": ("my payment keeps failing", "card declined at checkout"),
    },
    "promo_code": {
        "ru": ("промокод не работает", "куда вводить промокод"),
        "en": ("my promo code doesn't work", "where do I enter a discount code"),
    },
    "cancel_order": {
        "ru": ("хочу отменить заказ", "как отменить заказ"),
        "en": ("i want to cancel my order", "please cancel my order"),
    },
    "change_address": {
        "ru": ("как поменять адрес доставки", "ошибся в адресе, можно исправить?"),
        "en": ("can I change the delivery address", "wrong address on my order"),
    },
    "reset_password": {
        "ru": ("забыл пароль", "не могу войти, пароль не подходит"),
        "en": ("forgot my password", "can't log in, password reset please"),
    },
    "support_hours": {
        "ru": ("до скольки вы работаете", "когда работает поддержка"),
        "en": ("what are your support hours", "when are you open"),
    },
    "contact_phone": {
        "ru": ("какой у вас телефон", "номер горячей линии"),
        "en": ("what's your phone number", "how can I call you"),
    },
    "pickup_points": {
        "ru": ("где пункты выдачи", "есть пункт самовывоза рядом с метро?"),
        "en": ("where are your pickup points", "can I pick up my order myself"),
    },
    "warranty": {
        "ru": ("какая гарантия на технику", "сломался через месяц, гарантия есть?"),
        "en": ("what warranty do you give", "it broke after a month, is it under warranty"),
    },
}

ASK_PERSON: dict[str, tuple[str, ...]] = {
    "ru": ("позовите человека", "хочу поговорить с оператором", "соедините с живым человеком"),
    "en": ("i want to talk to a human", "operator please", "let me speak to a real person"),
}

AUTOMATIC: dict[str, tuple[str, ...]] = {  # topics the content always hands to people
    "ru": ("с меня дважды списали деньги", "деньги списали два раза за один заказ"),
    "en": ("i was charged twice", "you took the money twice for one order"),
}

# topic → language → phrasings: what the shop's content does not cover (yet)
GAPS: dict[str, dict[str, tuple[str, ...]]] = {
    "trade_in": {
        "ru": (
            "можно сдать старый телефон в трейд-ин?",
            "принимаете старую технику в трейд-ин",
            "трейд-ин старого телефона есть?",
            "есть у вас трейд-ин для смартфонов",
        ),
        "en": (
            "do you do trade-in for old phones?",
            "can I trade in my old phone",
            "is there a trade-in program for phones",
            "trade-in my old phone for a new one",
        ),
    },
    "gift_wrap": {
        "ru": (
            "можно упаковать заказ как подарок?",
            "есть подарочная упаковка?",
            "упакуйте подарочно пожалуйста",
            "подарочная упаковка сколько стоит",
        ),
        "en": (
            "do you offer gift wrapping?",
            "can you gift wrap my order",
            "gift wrapping available?",
            "how much is gift wrapping",
        ),
    },
    "jobs": {
        "ru": (
            "у вас есть вакансии?",
            "хочу работать у вас курьером",
            "вакансии курьера есть?",
            "ищете сотрудников на склад? вакансии",
        ),
        "en": (
            "are you hiring?",
            "any job vacancies?",
            "job vacancies for couriers?",
            "do you have vacancies at the warehouse",
        ),
    },
}

SMALL_TALK: dict[str, tuple[str, ...]] = {
    "ru": ("здравствуйте", "привет"),
    "en": ("hello", "hi there"),
}

REPLIES: dict[str, tuple[str, ...]] = {  # what operators write
    "ru": (
        "Здравствуйте! Сейчас проверю.",
        "Добрый день, уже смотрю ваш вопрос.",
        "Вижу ваш заказ, минуту.",
    ),
    "en": (
        "Hello! Let me check that for you.",
        "Hi, looking into it now.",
        "I can see your order, one moment.",
    ),
}
