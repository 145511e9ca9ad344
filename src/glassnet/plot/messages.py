"""The words on glassnet's figures, in English and Persian (see ``glassnet.i18n``).

Keys name the concept, not the figure, so every figure (and other packages' pages) can share
them: ``text(MESSAGES, "epoch", lang)``.
"""

MESSAGES = {
    "epoch": {"en": "epoch", "fa": "دوره (epoch)"},
    "loss": {"en": "loss", "fa": "خطا (loss)"},
    "accuracy": {"en": "accuracy", "fa": "دقت"},
    "learning_rate": {"en": "learning rate", "fa": "نرخ یادگیری"},
    "train": {"en": "train", "fa": "آموزش"},
    "validation": {"en": "validation", "fa": "اعتبارسنجی"},
    "train_loss_smoothed": {"en": "train (per step, smoothed)", "fa": "آموزش (هر گام، هموارشده)"},
    "band_spread": {"en": "band: min–max over {count} seeds",
                    "fa": "نوار: کمینه تا بیشینه روی {count} بذر تصادفی"},
    "diverged": {"en": "diverged", "fa": "واگرا شد"},
    "function": {"en": "f(x)", "fa": "تابع f(x)"},
    "derivative": {"en": "f′(x) from backward", "fa": "مشتق f′(x) از backward"},
    "activations_title": {"en": "Activation functions and their derivatives",
                          "fa": "تابع‌های فعال‌سازی و مشتق‌هایشان"},
    "templates_title": {"en": "Linear classifier templates (rows of W as images)",
                        "fa": "الگوهای طبقه‌بند خطی (سطرهای W به شکل تصویر)"},
    "filters_title": {"en": "First-layer convolution filters",
                      "fa": "فیلترهای کانولوشن لایهٔ اول"},
    "misclassified_title": {"en": "Misclassified examples (true → predicted)",
                            "fa": "نمونه‌هایی که اشتباه طبقه‌بندی شدند"},
    # NOTE: no arrow in Persian: with Latin class names the line runs left to right and an
    # arrow would point the wrong way, so each label gets its own line.
    "true_predicted": {"en": "{true} → {predicted}",
                       "fa": "درست: {true}\nپیش‌بینی: {predicted}"},
    "no_mistakes": {"en": "no misclassified examples", "fa": "هیچ نمونهٔ اشتباهی نیست"},
    "confusion_title": {"en": "Confusion matrix", "fa": "ماتریس درهم‌ریختگی"},
    "true_class": {"en": "true class", "fa": "کلاس درست"},
    "predicted_class": {"en": "predicted class", "fa": "کلاس پیش‌بینی‌شده"},
    "seed_runs": {"en": "each dot is one seed; bar: mean ± std",
                  "fa": "هر نقطه یک بذر تصادفی است؛ میله: میانگین ± انحراف معیار"},
    "validation_accuracy": {"en": "validation accuracy", "fa": "دقت اعتبارسنجی"},
    "complete": {"en": "complete", "fa": "کامل"},
    "pruned": {"en": "pruned", "fa": "هرس‌شده"},
    "round_n": {"en": "round {round}", "fa": "دور {round}"},
    "best_so_far": {"en": "best so far", "fa": "بهترینِ تا اینجا"},
    "trial_order": {"en": "trial (in the order they ran, round by round)",
                    "fa": "آزمایش (به ترتیب اجرا، دور به دور)"},
}
