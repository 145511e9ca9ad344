"""The names of each named dataset's classes, in English and Persian, for everything that
shows a prediction to people: ``glassnet predict``, the image-search page, reports.
"""

CLASS_NAMES = {
    "fashion-mnist": {
        "en": ("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
               "Sneaker", "Bag", "Ankle boot"),
        "fa": ("تی‌شرت/تاپ", "شلوار", "پلیور", "پیراهن زنانه", "پالتو", "صندل", "پیراهن",
               "کفش ورزشی", "کیف", "نیم‌بوت"),
    },
    "mnist": {
        "en": tuple("0123456789"),
        "fa": tuple("۰۱۲۳۴۵۶۷۸۹"),
    },
    "cifar10": {
        "en": ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship",
               "truck"),
        "fa": ("هواپیما", "خودرو", "پرنده", "گربه", "گوزن", "سگ", "قورباغه", "اسب", "کشتی",
               "کامیون"),
    },
}


def class_names(dataset: str, num_classes: int, lang: str) -> list[str]:
    """The names of ``dataset``'s classes in ``lang``; numbers for a dataset without names.

    Example:
        >>> class_names("fashion-mnist", 10, "en")[9]
        'Ankle boot'
        >>> class_names("unknown", 3, "en")
        ['0', '1', '2']
    """
    names = CLASS_NAMES.get(dataset, {}).get(lang, ())
    if len(names) != num_classes:
        return [str(label) for label in range(num_classes)]
    return list(names)
