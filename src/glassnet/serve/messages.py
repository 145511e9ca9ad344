"""Every word the image-search page shows, in English and Persian.

``MESSAGES`` is looked up with ``glassnet.i18n.text(MESSAGES, key, lang, **values)``: the
page's labels (rendered into the HTML, or handed to its script, which fills the ``{name}``
fields itself) and the API's error messages. Class names are in
``glassnet.data.classes``. Numbers are filled in by the code, never written here.
"""

MESSAGES = {
    # ----- the page ----------------------------------------------------------------------
    "title": {
        "en": "Image search",
        "fa": "جست‌وجوی تصویر",
    },
    "intro": {
        "en": "Choose an image and see the training images nearest to it: by the features "
              "the network learned, and by raw pixels, as in the kNN lecture.",
        "fa": "تصویری انتخاب کنید و نزدیک‌ترین تصاویر مجموعهٔ آموزشی به آن را ببینید: یک بار "
              "با ویژگی‌هایی که شبکه یاد گرفته و یک بار با پیکسل‌های خام، مانند درس نزدیک‌ترین "
              "همسایه.",
    },
    "model_line": {
        "en": "Model: {model}, trained on {dataset}. Features: the output of layer {layer} "
              "({size} values per image), over {count} training images.",
        "fa": "مدل: {model}، آموزش‌دیده روی {dataset}. ویژگی‌ها: خروجی لایهٔ {layer} ({size} "
              "عدد برای هر تصویر)، روی {count} تصویر آموزشی.",
    },
    "upload": {
        "en": "Choose an image (PNG or JPEG)",
        "fa": "انتخاب تصویر (PNG یا JPEG)",
    },
    "drop_hint": {
        "en": "or drop one here",
        "fa": "یا تصویری را اینجا رها کنید",
    },
    "strip": {
        "en": "Or pick a test image:",
        "fa": "یا یکی از تصاویر آزمایشی را برگزینید:",
    },
    "shuffle": {
        "en": "Other test images",
        "fa": "تصاویر آزمایشی دیگر",
    },
    "k_label": {
        "en": "Neighbours (k)",
        "fa": "تعداد همسایه‌ها (k)",
    },
    "view_label": {
        "en": "Show",
        "fa": "نمایش",
    },
    "view_features": {
        "en": "Learned features",
        "fa": "ویژگی‌های آموخته",
    },
    "view_pixels": {
        "en": "Raw pixels",
        "fa": "پیکسل‌های خام",
    },
    "view_both": {
        "en": "Side by side",
        "fa": "کنار هم",
    },
    "panel_features": {
        "en": "Nearest by learned features (layer {layer})",
        "fa": "نزدیک‌ترین‌ها با ویژگی‌های آموخته (لایهٔ {layer})",
    },
    "panel_pixels": {
        "en": "Nearest by raw pixels",
        "fa": "نزدیک‌ترین‌ها با پیکسل‌های خام",
    },
    "your_image": {
        "en": "Your image",
        "fa": "تصویر شما",
    },
    "model_input": {
        "en": "What the network sees",
        "fa": "آنچه شبکه می‌بیند",
    },
    "prediction": {
        "en": "The network says: {name} ({percent})",
        "fa": "پیش‌بینی شبکه: {name} ({percent})",
    },
    "agreement": {
        "en": "{same} of {k} neighbours are {name}",
        "fa": "{same} از {k} همسایه {name} هستند",
    },
    "distance": {
        "en": "distance {distance}",
        "fa": "فاصله {distance}",
    },
    "neighbour_alt": {
        "en": "Training image {index}: {name}",
        "fa": "تصویر آموزشی {index}: {name}",
    },
    "test_alt": {
        "en": "Test image {index}: {name}",
        "fa": "تصویر آزمایشی {index}: {name}",
    },
    "searching": {
        "en": "Searching…",
        "fa": "در حال جست‌وجو…",
    },
    "footer": {
        "en": "Exact nearest neighbours by Euclidean (L2) distance over every training image. "
              "Everything runs on this computer; nothing is sent elsewhere.",
        "fa": "نزدیک‌ترین همسایه‌ها به‌طور دقیق، با فاصلهٔ اقلیدسی (L2) روی همهٔ تصاویر آموزشی. "
              "همه‌چیز روی همین رایانه اجرا می‌شود و چیزی به جای دیگری فرستاده نمی‌شود.",
    },
    # ----- errors: the API's {"error": ...} and the page's own ---------------------------
    "error_no_file": {
        "en": "image: expected a file in the form field 'image', but the request has none. "
              "Choose an image first.",
        "fa": "تصویر: فایلی در فیلد «image» فرستاده نشده است. ابتدا تصویری انتخاب کنید.",
    },
    "error_empty": {
        "en": "image: the uploaded file is empty (0 bytes). Choose an image file.",
        "fa": "تصویر: فایل فرستاده‌شده خالی است (۰ بایت). یک فایل تصویری انتخاب کنید.",
    },
    "error_not_image": {
        "en": "image: this file is not an image that can be read (expected PNG or JPEG). "
              "Details: {detail}",
        "fa": "تصویر: این فایل تصویرِ خواندنی نیست (PNG یا JPEG لازم است). جزئیات: {detail}",
    },
    "error_format": {
        "en": "image: expected PNG or JPEG, but got a {format} file. Save it as PNG or JPEG.",
        "fa": "تصویر: PNG یا JPEG لازم است، اما فایل از نوع {format} است. آن را به PNG یا JPEG "
              "تبدیل کنید.",
    },
    "error_pixels": {
        "en": "image: expected at most {limit} pixels, but this one is {width}×{height} = "
              "{pixels}. Make it smaller first.",
        "fa": "تصویر: حداکثر {limit} پیکسل پذیرفته می‌شود، اما این تصویر {width}×{height} = "
              "{pixels} پیکسل است. ابتدا آن را کوچک‌تر کنید.",
    },
    "error_bomb": {
        "en": "image: it declares far more pixels than can be decoded safely (a decompression "
              "bomb?). Details: {detail}",
        "fa": "تصویر: تعداد پیکسل‌های اعلام‌شده بسیار بیشتر از حدی است که بتوان بی‌خطر باز کرد "
              "(بمب فشرده‌سازی؟). جزئیات: {detail}",
    },
    "error_corrupt": {
        "en": "image: the file could not be decoded; it may be truncated or corrupt. "
              "Details: {detail}",
        "fa": "تصویر: فایل باز نشد؛ شاید ناقص یا خراب باشد. جزئیات: {detail}",
    },
    "error_too_large": {
        "en": "The upload is larger than {limit} MB. Choose a smaller file.",
        "fa": "فایل فرستاده‌شده بزرگ‌تر از {limit} مگابایت است. فایل کوچک‌تری انتخاب کنید.",
    },
    "error_k": {
        "en": "k: expected a whole number from 1 to {largest}, but got '{value}'.",
        "fa": "k: عددی صحیح از ۱ تا {largest} لازم است، اما «{value}» فرستاده شد.",
    },
    "error_space": {
        "en": "space: expected one of {choices}, but got '{value}'.",
        "fa": "space: یکی از {choices} لازم است، اما «{value}» فرستاده شد.",
    },
    "error_count": {
        "en": "count: expected a whole number from 1 to {largest}, but got '{value}'.",
        "fa": "count: عددی صحیح از ۱ تا {largest} لازم است، اما «{value}» فرستاده شد.",
    },
    "error_seed": {
        "en": "seed: expected a whole number from 0 to {largest}, but got '{value}'.",
        "fa": "seed: عددی صحیح از ۰ تا {largest} لازم است، اما «{value}» فرستاده شد.",
    },
    "error_image_index": {
        "en": "There is no {split} image {value}: expected a number from 0 to {last} and "
              ".png, e.g. /api/images/{split}/0.png.",
        "fa": "تصویر {value} در مجموعهٔ {split} وجود ندارد: شماره‌ای از ۰ تا {last} و پسوند "
              ".png لازم است، مانند /api/images/{split}/0.png.",
    },
    "error_split": {
        "en": "Expected images of 'train' or 'test', but got '{value}'.",
        "fa": "تصاویر «train» یا «test» لازم است، اما «{value}» خواسته شد.",
    },
    "error_lang": {
        "en": "lang: expected one of {choices}, but got '{value}'.",
        "fa": "lang: یکی از {choices} لازم است، اما «{value}» فرستاده شد.",
    },
    "error_not_found": {
        "en": "Nothing at {path}. The page is at / and the API under /api/.",
        "fa": "چیزی در {path} نیست. صفحه در / و API زیر /api/ است.",
    },
    "error_method": {
        "en": "{path} does not accept {method} requests.",
        "fa": "{path} درخواست {method} نمی‌پذیرد.",
    },
    "error_bad_request": {
        "en": "The request could not be read: {detail}",
        "fa": "درخواست خوانده نشد: {detail}",
    },
    "error_internal": {
        "en": "The server failed on this request (its log has the details); it keeps serving.",
        "fa": "سرور در پاسخ به این درخواست خطا داد (جزئیات در گزارش سرور است)؛ کار سرور ادامه "
              "دارد.",
    },
    "error_network": {
        "en": "The server did not answer. Is glassnet serve still running?",
        "fa": "سرور پاسخ نداد. آیا glassnet serve هنوز در حال اجراست؟",
    },
}
