"""The doctor's words, in English and Persian, kept apart from the rules.

For every code of the catalogue: ``<code>.message`` (what was found, filled with the
evidence), ``<code>.cause`` (why it happens), ``<code>.advice`` (what to try first) and
``<code>.rule`` (the formula or lecture rule applied). Evidence values under the keys of
``PHRASE_KEYS`` are identifiers that are themselves translated through ``<key>.<value>``
(e.g. ``reason.nonfinite``). Numbers come from the evidence; none is typed here except
those the lecture's rules quote (ln C, ≈ 1e-3, 3×).
"""

PHRASE_KEYS = ("reason", "problem", "loss_expects", "measure")

TABLE = {
    # ----- report frame -----------------------------------------------------------------
    "report.title": {
        "en": "glassnet doctor: {error} error(s), {warning} warning(s), {info} note(s)",
        "fa": "پزشک glassnet: {error} خطا، {warning} هشدار، {info} نکته",
    },
    "report.healthy": {
        "en": "Nothing wrong found: every check passed.",
        "fa": "مشکلی پیدا نشد: همه‌ی بررسی‌ها موفق بودند.",
    },
    "report.evidence": {"en": "evidence", "fa": "شواهد"},
    "report.cause": {"en": "cause", "fa": "علت"},
    "report.advice": {"en": "try first", "fa": "اول این را امتحان کنید"},
    "report.rule": {"en": "rule", "fa": "قاعده"},
    "severity.error": {"en": "error", "fa": "خطا"},
    "severity.warning": {"en": "warning", "fa": "هشدار"},
    "severity.info": {"en": "note", "fa": "نکته"},
    # ----- counter-experiments ----------------------------------------------------------
    "confirm.helped": {
        "en": "Counter-experiment: with {fix}, the loss after {steps} steps is {after} "
              "instead of {before}: the fix helps, which confirms the cause.",
        "fa": "آزمایش متقابل: با {fix}، هزینه پس از {steps} گام {after} است به جای "
              "{before}: این اصلاح کمک می‌کند و علت را تأیید می‌کند.",
    },
    "confirm.not_helped": {
        "en": "Counter-experiment: with {fix}, the loss after {steps} steps is {after} "
              "instead of {before}: the fix does not help, so this finding was downgraded.",
        "fa": "آزمایش متقابل: با {fix}، هزینه پس از {steps} گام {after} است به جای "
              "{before}: این اصلاح کمکی نمی‌کند، پس اهمیت این یافته کاهش داده شد.",
    },
    "confirm.with_accuracy": {
        "en": "{loss} (accuracy {accuracy:.0%})",
        "fa": "{loss} (دقت {accuracy:.0%})",
    },
    "fix.lr_down": {"en": "the learning rate ÷ 10", "fa": "نرخ یادگیری ÷ ۱۰"},
    "fix.lr_down_100": {"en": "the learning rate ÷ 100", "fa": "نرخ یادگیری ÷ ۱۰۰"},
    "fix.lr_down_1000": {"en": "the learning rate ÷ 1000", "fa": "نرخ یادگیری ÷ ۱۰۰۰"},
    "fix.lr_up": {"en": "the learning rate × 10", "fa": "نرخ یادگیری × ۱۰"},
    "fix.lr_up_100": {"en": "the learning rate × 100", "fa": "نرخ یادگیری × ۱۰۰"},
    "fix.lr_up_1000": {"en": "the learning rate × 1000", "fa": "نرخ یادگیری × ۱۰۰۰"},
    "fix.standardize": {
        "en": "standardized inputs (training mean and std)",
        "fa": "ورودی‌های استانداردشده (با میانگین و انحراف معیار داده‌های آموزش)",
    },
    "fix.reinit": {
        "en": "He/Xavier re-initialization",
        "fa": "مقداردهی اولیه‌ی دوباره با He/Xavier",
    },
    "fix.weight_decay_down": {"en": "the weight decay ÷ 10", "fa": "کاهش وزن ÷ ۱۰"},
    # ----- phrases filled into messages -------------------------------------------------
    "reason.nonfinite": {
        "en": "the loss became NaN/Inf at step {step} (initial loss {initial})",
        "fa": "هزینه در گام {step} به NaN/Inf رسید (هزینه‌ی اولیه {initial})",
    },
    "reason.diverged": {
        "en": "the loss rose to {peak}, {factor}× its initial {initial}",
        "fa": "هزینه تا {peak} بالا رفت، {factor} برابر مقدار اولیه‌ی {initial}",
    },
    "reason.rising": {
        "en": "the loss rose from {start} to {end} over the run",
        "fa": "هزینه در طول اجرا از {start} به {end} افزایش یافت",
    },
    "reason.oscillating": {
        "en": "the loss goes up and down ({backtrack:.0%} of its movement is undone)",
        "fa": "هزینه بالا و پایین می‌رود ({backtrack:.0%} از حرکتش دوباره برمی‌گردد)",
    },
    "problem.one_output": {
        "en": "the model has a single output, so there is only one class to choose",
        "fa": "مدل فقط یک خروجی دارد، پس فقط یک کلاس برای انتخاب هست",
    },
    "problem.class_indices": {
        "en": "the targets are {distinct_targets} integer class labels, treated as numbers "
              "on a line",
        "fa": "هدف‌ها {distinct_targets} برچسب کلاس صحیح هستند که مثل اعدادی روی یک خط "
              "با آن‌ها رفتار می‌شود",
    },
    "problem.binary_loss_on_classes": {
        "en": "the targets take {distinct_targets} class values, but a binary loss expects "
              "0 or 1",
        "fa": "هدف‌ها {distinct_targets} مقدار کلاس دارند، اما تابع هزینه‌ی دودویی 0 یا 1 "
              "می‌خواهد",
    },
    "problem.error": {
        "en": "calling the loss failed: {error}",
        "fa": "فراخوانی تابع هزینه شکست خورد: {error}",
    },
    "loss_expects.logits": {
        "en": "raw class scores (logits)",
        "fa": "امتیازهای خام کلاس‌ها (logits)",
    },
    "loss_expects.log_probs": {"en": "log-probabilities", "fa": "لگاریتم احتمال‌ها"},
    "loss_expects.scores": {"en": "raw class scores", "fa": "امتیازهای خام کلاس‌ها"},
    "loss_expects.binary_logits": {"en": "raw scores (logits)", "fa": "امتیازهای خام (logits)"},
    "loss_expects.probabilities": {"en": "probabilities", "fa": "احتمال‌ها"},
    "loss_expects.regression": {"en": "real-valued predictions", "fa": "پیش‌بینی‌های حقیقی"},
    "loss_expects.unknown": {"en": "its own kind of input", "fa": "ورودی مخصوص خودش"},
    "measure.accuracy": {"en": "accuracy", "fa": "دقت"},
    "measure.relative_loss": {
        "en": "loss relative to the targets' variance",
        "fa": "هزینه نسبت به واریانس هدف‌ها",
    },
    "measure.loss": {"en": "loss", "fa": "هزینه"},
    # ----- the learning-rate range test --------------------------------------------------
    "lr_find.suggestion": {
        "en": "Suggested learning rate: {suggestion} (the minimum of the smoothed loss at "
              "{minimum}, divided by 10); the steepest descent was at {steepest}.",
        "fa": "نرخ یادگیری پیشنهادی: {suggestion} (کمینه‌ی هزینه‌ی هموارشده در {minimum}، "
              "تقسیم بر ۱۰)؛ تندترین کاهش در {steepest} بود.",
    },
    "lr_find.flat": {
        "en": "No learning rate can be read from this curve: the smoothed loss fell only "
              "{drop:.1%} over the whole sweep (at least {need:.0%} is needed). Check the model "
              "and the data with glassnet doctor first.",
        "fa": "از این منحنی نمی‌توان نرخ یادگیری خواند: هزینه‌ی هموارشده در کل جاروب فقط "
              "{drop:.1%} کاهش یافت (دست‌کم {need:.0%} لازم است). اول مدل و داده‌ها را با "
              "glassnet doctor بررسی کنید.",
    },
    # ----- the catalogue ----------------------------------------------------------------
    "nonfinite_inputs.message": {
        "en": "The data contains NaN or Inf: {inputs} input values and {targets} targets.",
        "fa": "داده‌ها NaN یا Inf دارند: {inputs} مقدار در ورودی‌ها و {targets} در هدف‌ها.",
    },
    "nonfinite_inputs.cause": {
        "en": "Missing values or a division by zero in preprocessing; one NaN turns the "
              "whole model into NaN after a single step.",
        "fa": "مقادیر گمشده یا تقسیم بر صفر در پیش‌پردازش؛ یک NaN پس از یک گام کل مدل را "
              "NaN می‌کند.",
    },
    "nonfinite_inputs.advice": {
        "en": "Find where they come from; drop or impute those examples (np.nan_to_num, "
              "np.isfinite masks) before training.",
        "fa": "منشأ آن‌ها را پیدا کنید؛ پیش از آموزش آن نمونه‌ها را حذف یا جایگزین کنید "
              "(np.nan_to_num یا ماسک np.isfinite).",
    },
    "nonfinite_inputs.rule": {
        "en": "Every input and target must be finite.",
        "fa": "همه‌ی ورودی‌ها و هدف‌ها باید متناهی باشند.",
    },
    "labels_out_of_range.message": {
        "en": "Labels run from {label_min} to {label_max}, but the model has {outputs} "
              "outputs (classes 0 to {outputs} − 1).",
        "fa": "برچسب‌ها از {label_min} تا {label_max} هستند، اما مدل {outputs} خروجی دارد "
              "(کلاس‌های 0 تا {outputs} − 1).",
    },
    "labels_out_of_range.cause": {
        "en": "Labels counted from 1, a wrong number of classes, or a missing label mapping.",
        "fa": "برچسب‌ها از 1 شمرده شده‌اند، تعداد کلاس‌ها اشتباه است یا نگاشت برچسب‌ها جا "
              "افتاده است.",
    },
    "labels_out_of_range.advice": {
        "en": "Map the labels to 0 … C − 1 and give the last layer C outputs.",
        "fa": "برچسب‌ها را به 0 تا C − 1 نگاشت کنید و به لایه‌ی آخر C خروجی بدهید.",
    },
    "labels_out_of_range.rule": {
        "en": "Cross-entropy over C classes needs integer labels 0 ≤ y < C.",
        "fa": "آنتروپی متقاطع روی C کلاس برچسب صحیح 0 ≤ y < C می‌خواهد.",
    },
    "softmax_before_loss.message": {
        "en": "The model's output (last layer {last_layer}) is already probabilities "
              "(values {output_min} to {output_max}, rows summing to {row_sum}), but the loss "
              "expects {loss_expects}.",
        "fa": "خروجی مدل (لایه‌ی آخر {last_layer}) از قبل احتمال است (مقادیر {output_min} تا "
              "{output_max} و مجموع هر سطر {row_sum})، اما تابع هزینه {loss_expects} "
              "می‌خواهد.",
    },
    "softmax_before_loss.cause": {
        "en": "The loss applies softmax (or sigmoid) itself; squashing twice leaves the "
              "scores in [0, 1], so the loss can barely move and its gradients are tiny.",
        "fa": "تابع هزینه خودش softmax (یا sigmoid) را اعمال می‌کند؛ دو بار فشرده‌سازی "
              "امتیازها را در [0, 1] نگه می‌دارد، پس هزینه به‌سختی تغییر می‌کند و گرادیان‌ها "
              "بسیار کوچک‌اند.",
    },
    "softmax_before_loss.advice": {
        "en": "Remove the final Softmax/Sigmoid layer and feed the raw scores to the loss; "
              "apply softmax only to read probabilities at prediction time.",
        "fa": "لایه‌ی Softmax/Sigmoid آخر را بردارید و امتیازهای خام را به تابع هزینه بدهید؛ "
              "softmax را فقط هنگام پیش‌بینی برای خواندن احتمال‌ها به کار ببرید.",
    },
    "softmax_before_loss.rule": {
        "en": "CrossEntropyLoss = log-softmax + negative log-likelihood of the logits.",
        "fa": "CrossEntropyLoss = log-softmax + منفی لگاریتم درست‌نمایی روی logits.",
    },
    "loss_output_mismatch.message": {
        "en": "The loss does not fit the model's output and the targets: it expects "
              "{loss_expects}, and {problem}.",
        "fa": "تابع هزینه با خروجی مدل و هدف‌ها جور نیست: {loss_expects} می‌خواهد، و "
              "{problem}.",
    },
    "loss_output_mismatch.cause": {
        "en": "A classification loss on a regression output (or the reverse), or the wrong "
              "number of outputs for the task.",
        "fa": "تابع هزینه‌ی طبقه‌بندی روی خروجی رگرسیون (یا برعکس)، یا تعداد خروجی نادرست "
              "برای مسئله.",
    },
    "loss_output_mismatch.advice": {
        "en": "For C classes: C outputs and CrossEntropyLoss on integer labels; for two "
              "classes: one output and BCEWithLogitsLoss on 0/1; for numbers: MSELoss.",
        "fa": "برای C کلاس: C خروجی و CrossEntropyLoss روی برچسب‌های صحیح؛ برای دو کلاس: یک "
              "خروجی و BCEWithLogitsLoss روی 0/1؛ برای اعداد: MSELoss.",
    },
    "loss_output_mismatch.rule": {
        "en": "The loss must match the output layer and the label type.",
        "fa": "تابع هزینه باید با لایه‌ی خروجی و نوع برچسب‌ها جور باشد.",
    },
    "output_range_mismatch.message": {
        "en": "The output layer {last_layer} can only produce values in [{low}, {high}], but "
              "the targets run from {target_min} to {target_max} ({share_outside:.0%} outside).",
        "fa": "لایه‌ی خروجی {last_layer} فقط مقادیری در [{low}, {high}] تولید می‌کند، اما "
              "هدف‌ها از {target_min} تا {target_max} هستند ({share_outside:.0%} بیرون از بازه).",
    },
    "output_range_mismatch.cause": {
        "en": "A bounded activation on the output of a regression, or targets that were not "
              "scaled to the output's range.",
        "fa": "یک تابع فعال‌سازی کران‌دار روی خروجی رگرسیون، یا هدف‌هایی که به بازه‌ی خروجی "
              "مقیاس نشده‌اند.",
    },
    "output_range_mismatch.advice": {
        "en": "Use a plain Linear output for regression, or scale the targets into the "
              "output's range.",
        "fa": "برای رگرسیون خروجی خطی ساده (Linear) بگذارید، یا هدف‌ها را به بازه‌ی خروجی "
              "مقیاس کنید.",
    },
    "output_range_mismatch.rule": {
        "en": "The targets must lie inside the range of the output layer.",
        "fa": "هدف‌ها باید درون بازه‌ی لایه‌ی خروجی باشند.",
    },
    "loss_not_mean.message": {
        "en": "The loss is summed over the batch, not averaged: the same batch twice gives "
              "{loss_of_doubled_batch} instead of {loss} ({ratio}×).",
        "fa": "تابع هزینه روی دسته جمع زده می‌شود نه میانگین: همان دسته دو بار "
              "{loss_of_doubled_batch} می‌دهد به جای {loss} ({ratio} برابر).",
    },
    "loss_not_mean.cause": {
        "en": "reduction='sum' (or a hand-written sum): gradients grow with the batch size, "
              "so a learning rate that works for one batch size explodes for a larger one.",
        "fa": "reduction='sum' (یا جمع دست‌نویس): گرادیان‌ها با اندازه‌ی دسته بزرگ می‌شوند، "
              "پس نرخ یادگیری مناسب یک اندازه برای دسته‌ی بزرگ‌تر منفجر می‌شود.",
    },
    "loss_not_mean.advice": {
        "en": "Use the mean over the batch (reduction='mean', the default).",
        "fa": "از میانگین روی دسته استفاده کنید (reduction='mean'، پیش‌فرض).",
    },
    "loss_not_mean.rule": {
        "en": "L = (1/N) Σᵢ Lᵢ: the data loss is an average over the N examples.",
        "fa": "L = (1/N) Σᵢ Lᵢ: هزینه‌ی داده میانگین روی N نمونه است.",
    },
    "no_nonlinearity.message": {
        "en": "Layers {first} and {second} follow each other with no nonlinearity between "
              "them ({pairs} such pair(s)).",
        "fa": "لایه‌های {first} و {second} بدون هیچ تابع غیرخطی پشت سر هم آمده‌اند "
              "({pairs} جفت از این دست).",
    },
    "no_nonlinearity.cause": {
        "en": "Two linear maps in a row are one linear map (W₂W₁x): the extra layer adds "
              "parameters but no power.",
        "fa": "دو نگاشت خطی پشت سر هم یک نگاشت خطی است (W₂W₁x): لایه‌ی اضافه پارامتر اضافه "
              "می‌کند اما توانی نه.",
    },
    "no_nonlinearity.advice": {
        "en": "Put an activation (ReLU) between them, or merge them into one layer.",
        "fa": "یک تابع فعال‌سازی (ReLU) بینشان بگذارید، یا آن‌ها را یک لایه کنید.",
    },
    "no_nonlinearity.rule": {
        "en": "W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂).",
        "fa": "W₂(W₁x + b₁) + b₂ = (W₂W₁)x + (W₂b₁ + b₂).",
    },
    "batch_mixing.message": {
        "en": "The output of example {example} depends on example {other_example} of the "
              "same batch (gradient leak {leak} of its own).",
        "fa": "خروجی نمونه‌ی {example} به نمونه‌ی {other_example} از همان دسته وابسته است "
              "(نشت گرادیان {leak} نسبت به ورودی خودش).",
    },
    "batch_mixing.cause": {
        "en": "A reshape or view used where a transpose was meant, or a reduction over the "
              "batch axis, mixes examples together.",
        "fa": "reshape به جای transpose، یا کاهش (جمع/میانگین) روی محور دسته، نمونه‌ها را "
              "با هم مخلوط می‌کند.",
    },
    "batch_mixing.advice": {
        "en": "Check every reshape/transpose in forward: axis 0 must stay the batch.",
        "fa": "همه‌ی reshape/transposeهای forward را بررسی کنید: محور 0 باید محور دسته بماند.",
    },
    "batch_mixing.rule": {
        "en": "∂Lᵢ/∂xⱼ = 0 for j ≠ i (Karpathy's batch-independence test).",
        "fa": "∂Lᵢ/∂xⱼ = 0 برای j ≠ i (آزمون استقلال دسته‌ی Karpathy).",
    },
    "gradient_check_failed.message": {
        "en": "The gradient check fails in layer {layer}: relative error {relative_error} "
              "({checked} elements checked).",
        "fa": "بررسی گرادیان در لایه‌ی {layer} رد می‌شود: خطای نسبی {relative_error} "
              "({checked} عنصر بررسی شد).",
    },
    "gradient_check_failed.cause": {
        "en": "The backward pass of an op in that layer does not compute the derivative of "
              "its forward pass.",
        "fa": "گذر رو به عقب یکی از عملیات آن لایه مشتق گذر رو به جلویش را حساب نمی‌کند.",
    },
    "gradient_check_failed.advice": {
        "en": "Run glassnet.gradcheck on that layer alone, in float64, and compare your "
              "backward with the derivative of forward by hand.",
        "fa": "glassnet.gradcheck را روی همان لایه به‌تنهایی و با float64 اجرا کنید و "
              "backward را با مشتق دستی forward مقایسه کنید.",
    },
    "gradient_check_failed.rule": {
        "en": "Relative error |a − n| / max(|a|, |n|) with centered differences: > 1e-2 "
              "probably wrong, 1e-4 to 1e-2 uncomfortable, < 1e-7 good (lecture).",
        "fa": "خطای نسبی |a − n| / max(|a|, |n|) با تفاضل مرکزی: بیش از 1e-2 احتمالاً "
              "غلط، بین 1e-4 و 1e-2 نگران‌کننده، کمتر از 1e-7 خوب (درس).",
    },
    "stale_gradients.message": {
        "en": "Gradients were not cleared between steps: {stale_steps} of {steps} steps "
              "added their gradient to the previous ones (first at step {first_step}).",
        "fa": "گرادیان‌ها بین گام‌ها پاک نشدند: {stale_steps} گام از {steps} گام گرادیانشان "
              "را به قبلی‌ها افزودند (اولین بار در گام {first_step}).",
    },
    "stale_gradients.cause": {
        "en": "backward() adds into .grad; without zero_grad() each step follows the sum of "
              "all gradients so far.",
        "fa": "backward() به .grad اضافه می‌کند؛ بدون zero_grad() هر گام در جهت مجموع همه‌ی "
              "گرادیان‌های قبلی می‌رود.",
    },
    "stale_gradients.advice": {
        "en": "Call optimizer.zero_grad() before loss.backward() in every step.",
        "fa": "در هر گام پیش از loss.backward() تابع optimizer.zero_grad() را صدا بزنید.",
    },
    "stale_gradients.rule": {
        "en": "Each update uses the gradient of the current batch only.",
        "fa": "هر به‌روزرسانی فقط از گرادیان دسته‌ی فعلی استفاده می‌کند.",
    },
    "eval_in_train_mode.message": {
        "en": "The model was evaluated {passes} time(s) without a graph while still in "
              "training mode, with random or batch-dependent layers: {layers}.",
        "fa": "مدل {passes} بار بدون گراف ولی هنوز در حالت آموزش ارزیابی شد، با لایه‌های "
              "تصادفی یا وابسته به دسته: {layers}.",
    },
    "eval_in_train_mode.cause": {
        "en": "Dropout still drops units and batch norm uses (and updates with) the batch's "
              "statistics, so evaluation numbers are noisy and wrong.",
        "fa": "دراپ‌اوت همچنان واحدها را حذف می‌کند و نرمال‌سازی دسته‌ای از آماره‌های دسته "
              "استفاده (و با آن به‌روزرسانی) می‌کند، پس اعداد ارزیابی نویزی و نادرست‌اند.",
    },
    "eval_in_train_mode.advice": {
        "en": "Call model.eval() before evaluating and model.train() before training again.",
        "fa": "پیش از ارزیابی model.eval() و پیش از آموزش دوباره model.train() را صدا بزنید.",
    },
    "eval_in_train_mode.rule": {
        "en": "Dropout is the identity and batch norm uses running statistics at test time.",
        "fa": "در زمان آزمون دراپ‌اوت همانی است و نرمال‌سازی دسته‌ای از آماره‌های "
              "انباشته استفاده می‌کند.",
    },
    "symmetric_init.message": {
        "en": "All {units} units of layer {layer} start with the same weights (spread "
              "{weight_spread}).",
        "fa": "همه‌ی {units} واحد لایه‌ی {layer} با وزن‌های یکسان شروع می‌کنند (پراکندگی "
              "{weight_spread}).",
    },
    "symmetric_init.cause": {
        "en": "Identical units compute the same output and receive the same gradient, so "
              "they stay identical: the layer behaves like a single unit (zero or constant "
              "initialization).",
        "fa": "واحدهای یکسان خروجی یکسان و گرادیان یکسان می‌گیرند و یکسان می‌مانند: لایه "
              "مثل یک واحد رفتار می‌کند (مقداردهی اولیه‌ی صفر یا ثابت).",
    },
    "symmetric_init.advice": {
        "en": "Initialize weights randomly: He (kaiming_normal) before ReLU, Xavier before "
              "tanh; zeros are fine for biases only.",
        "fa": "وزن‌ها را تصادفی مقداردهی کنید: He (kaiming_normal) پیش از ReLU و Xavier پیش "
              "از tanh؛ صفر فقط برای بایاس‌ها مناسب است.",
    },
    "symmetric_init.rule": {
        "en": "Random initialization breaks the symmetry between units (lecture: why not "
              "zero initialization).",
        "fa": "مقداردهی تصادفی تقارن بین واحدها را می‌شکند (درس: چرا مقداردهی صفر نه).",
    },
    "unused_parameters.message": {
        "en": "{count} parameter(s) got no gradient from a backward pass: {parameters}.",
        "fa": "{count} پارامتر از گذر رو به عقب هیچ گرادیانی نگرفتند: {parameters}.",
    },
    "unused_parameters.cause": {
        "en": "A layer is created in __init__ but never used in forward (or its output is "
              "detached), so it is never trained.",
        "fa": "لایه‌ای در __init__ ساخته شده اما در forward استفاده نشده (یا خروجی‌اش جدا "
              "شده)، پس هرگز آموزش نمی‌بیند.",
    },
    "unused_parameters.advice": {
        "en": "Use the layer in forward, or delete it (or freeze it on purpose with "
              "requires_grad=False).",
        "fa": "لایه را در forward به کار ببرید یا حذفش کنید (یا عمداً با requires_grad=False "
              "منجمدش کنید).",
    },
    "unused_parameters.rule": {
        "en": "Every trainable parameter lies on a path from the loss.",
        "fa": "هر پارامتر آموزش‌پذیر روی مسیری از تابع هزینه قرار دارد.",
    },
    "val_leakage.message": {
        "en": "{duplicates} of {val_examples} validation examples ({share:.1%}) are exact "
              "copies of training examples.",
        "fa": "{duplicates} از {val_examples} نمونه‌ی اعتبارسنجی ({share:.1%}) کپی دقیق "
              "نمونه‌های آموزش هستند.",
    },
    "val_leakage.cause": {
        "en": "The split was made after duplicating or augmenting the data, or the same file "
              "was loaded twice: validation then measures memory, not generalization.",
        "fa": "تقسیم داده پس از تکثیر یا داده‌افزایی انجام شده، یا یک فایل دو بار خوانده "
              "شده: آن‌گاه اعتبارسنجی حافظه را می‌سنجد نه تعمیم را.",
    },
    "val_leakage.advice": {
        "en": "Remove duplicates first, then split; split before any augmentation.",
        "fa": "اول تکراری‌ها را حذف کنید و بعد تقسیم کنید؛ پیش از هر داده‌افزایی تقسیم کنید.",
    },
    "val_leakage.rule": {
        "en": "Validation examples must be unseen during training.",
        "fa": "نمونه‌های اعتبارسنجی نباید در آموزش دیده شده باشند.",
    },
    "labels_not_learnable.message": {
        "en": "The model does no better on validation ({val_loss}) than the same model "
              "trained on zeroed inputs ({baseline_val_loss}; difference {difference} per "
              "example, standard error {standard_error}), although it fits its training data "
              "{train_gain:.0%} better ({train_loss} against {baseline_train_loss}).",
        "fa": "مدل روی داده‌های اعتبارسنجی ({val_loss}) بهتر از همان مدل آموزش‌دیده با "
              "ورودی‌های صفر نیست ({baseline_val_loss}؛ اختلاف {difference} برای هر نمونه، "
              "خطای معیار {standard_error})، با اینکه داده‌های آموزش را {train_gain:.0%} بهتر "
              "برازش می‌کند ({train_loss} در برابر {baseline_train_loss}).",
    },
    "labels_not_learnable.cause": {
        "en": "The labels do not follow from the inputs: shuffled separately from the "
              "inputs, misaligned after a sort or a split, or simply wrong.",
        "fa": "برچسب‌ها از ورودی‌ها به دست نمی‌آیند: جدا از ورودی‌ها به هم ریخته شده‌اند، "
              "پس از مرتب‌سازی یا تقسیم ناهم‌تراز شده‌اند، یا صرفاً غلط‌اند.",
    },
    "labels_not_learnable.advice": {
        "en": "Look at a few examples with their labels; check that every shuffle and split "
              "applies the same permutation to inputs and labels.",
        "fa": "چند نمونه را همراه برچسبشان ببینید؛ مطمئن شوید هر به‌هم‌ریختن و تقسیم همان "
              "جایگشت را روی ورودی‌ها و برچسب‌ها اعمال می‌کند.",
    },
    "labels_not_learnable.rule": {
        "en": "An input-independent baseline (zeroed inputs) must train worse than the real "
              "model (Karpathy, 2019).",
        "fa": "یک خط پایه‌ی مستقل از ورودی (ورودی‌های صفر) باید بدتر از مدل واقعی آموزش "
              "ببیند (Karpathy، 2019).",
    },
    "inputs_not_normalized.message": {
        "en": "Inputs are far from standardized: mean {mean}, std {std}, range {min} to "
              "{max}.",
        "fa": "ورودی‌ها از حالت استاندارد دورند: میانگین {mean}، انحراف معیار {std}، بازه‌ی "
              "{min} تا {max}.",
    },
    "inputs_not_normalized.cause": {
        "en": "Large or offset inputs make the first layer's pre-activations large: "
              "saturated units, a huge initial loss, and a learning rate that suits no layer.",
        "fa": "ورودی‌های بزرگ یا جابه‌جا پیش‌فعال‌سازی لایه‌ی اول را بزرگ می‌کنند: واحدهای "
              "اشباع، هزینه‌ی اولیه‌ی بسیار بزرگ، و نرخ یادگیری‌ای که به هیچ لایه نمی‌خورد.",
    },
    "inputs_not_normalized.advice": {
        "en": "Standardize with the training set's mean and std "
              "(glassnet.data.Standardize().fit(X_train)), and apply the same to validation.",
        "fa": "با میانگین و انحراف معیار داده‌های آموزش استاندارد کنید "
              "(glassnet.data.Standardize().fit(X_train)) و همان را روی اعتبارسنجی اعمال کنید.",
    },
    "inputs_not_normalized.rule": {
        "en": "Zero-centre and normalize the data: x' = (x − μ) / σ (lecture).",
        "fa": "داده‌ها را صفرمرکز و نرمال کنید: x' = (x − μ) / σ (درس).",
    },
    "class_imbalance.message": {
        "en": "Classes are imbalanced {ratio}:1 ({largest} against {smallest} examples); a "
              "model that only learns the class shares reaches loss {prior_loss} (chance: "
              "{uniform_loss}).",
        "fa": "کلاس‌ها نامتوازن‌اند با نسبت {ratio} به 1 ({largest} در برابر {smallest} "
              "نمونه)؛ مدلی که فقط سهم کلاس‌ها را یاد بگیرد به هزینه‌ی {prior_loss} می‌رسد "
              "(شانس: {uniform_loss}).",
    },
    "class_imbalance.cause": {
        "en": "Predicting the majority class already looks good, so accuracy hides how badly "
              "the rare classes are recognized.",
        "fa": "پیش‌بینی کلاس اکثریت به‌تنهایی خوب به نظر می‌رسد، پس دقت پنهان می‌کند که "
              "کلاس‌های کمیاب چقدر بد شناخته می‌شوند.",
    },
    "class_imbalance.advice": {
        "en": "Report per-class accuracy; initialize the last bias to log(class share); "
              "consider class weights or resampling.",
        "fa": "دقت هر کلاس را گزارش کنید؛ بایاس آخر را با log(سهم کلاس) مقداردهی کنید؛ وزن‌دهی "
              "کلاس‌ها یا نمونه‌برداری دوباره را در نظر بگیرید.",
    },
    "class_imbalance.rule": {
        "en": "Prior loss = −Σ_c p_c ln p_c (the loss of a bias initialized to log p_c).",
        "fa": "هزینه‌ی پیشین = −Σ_c p_c ln p_c (هزینه‌ی بایاسی که با log p_c مقداردهی شده).",
    },
    "lr_too_high.message": {
        "en": "The learning rate looks too high: {reason}.",
        "fa": "نرخ یادگیری به نظر خیلی بالاست: {reason}.",
    },
    "lr_too_high.cause": {
        "en": "Each step overshoots the minimum along the steep directions, so the loss "
              "bounces or climbs instead of going down.",
        "fa": "هر گام در جهت‌های پرشیب از کمینه جلوتر می‌رود، پس هزینه به جای پایین آمدن "
              "بالا و پایین می‌پرد یا بالا می‌رود.",
    },
    "lr_too_high.advice": {
        "en": "Divide the learning rate by 10 (or run glassnet lr-find to pick one).",
        "fa": "نرخ یادگیری را بر ۱۰ تقسیم کنید (یا با glassnet lr-find یکی انتخاب کنید).",
    },
    "lr_too_high.rule": {
        "en": "Lecture: NaN/Inf or a loss above 3× its initial value means the learning rate "
              "is too high.",
        "fa": "درس: NaN/Inf یا هزینه‌ی بیش از ۳ برابر مقدار اولیه یعنی نرخ یادگیری خیلی "
              "بالاست.",
    },
    "lr_too_low.message": {
        "en": "The loss barely moves ({start} → {end}, {drop:.2%} lower) and the largest "
              "update/weight ratio is {update_ratio}.",
        "fa": "هزینه به‌سختی تکان می‌خورد ({start} ← {end}، {drop:.2%} کمتر) و بزرگ‌ترین "
              "نسبت به‌روزرسانی به وزن {update_ratio} است.",
    },
    "lr_too_low.cause": {
        "en": "Steps are too small to make progress in the number of steps you can afford.",
        "fa": "گام‌ها برای پیشرفت در تعداد گام‌هایی که می‌توانید بپردازید خیلی کوچک‌اند.",
    },
    "lr_too_low.advice": {
        "en": "Multiply the learning rate by 10 (or run glassnet lr-find).",
        "fa": "نرخ یادگیری را در ۱۰ ضرب کنید (یا glassnet lr-find را اجرا کنید).",
    },
    "lr_too_low.rule": {
        "en": "Lecture: loss barely changing → learning rate too low; update/weight ≈ 1e-3 "
              "is healthy.",
        "fa": "درس: هزینه تقریباً بی‌تغییر ← نرخ یادگیری خیلی پایین؛ نسبت به‌روزرسانی به وزن "
              "حدود 1e-3 سالم است.",
    },
    "over_regularized.message": {
        "en": "Weight decay {weight_decay} keeps the model from fitting: the training loss "
              "{train_loss} is still {remaining:.0%} of the zeroed-input baseline's "
              "{baseline_loss}.",
        "fa": "کاهش وزن {weight_decay} نمی‌گذارد مدل برازش کند: هزینه‌ی آموزش {train_loss} "
              "هنوز {remaining:.0%} هزینه‌ی خط پایه با ورودی صفر ({baseline_loss}) است.",
    },
    "over_regularized.cause": {
        "en": "The penalty pulls the weights to zero harder than the data pulls them away.",
        "fa": "جریمه وزن‌ها را سخت‌تر از آنچه داده‌ها دورشان می‌کنند به سمت صفر می‌کشد.",
    },
    "over_regularized.advice": {
        "en": "Divide the weight decay by 10 (search it in log space, e.g. 10^U(−5, −1)).",
        "fa": "کاهش وزن را بر ۱۰ تقسیم کنید (آن را در فضای لگاریتمی جست‌وجو کنید، مثلاً "
              "10^U(−5, −1)).",
    },
    "over_regularized.rule": {
        "en": "L = L_data + λR(W): too large a λ makes the model underfit (lecture).",
        "fa": "L = L_data + λR(W): λ خیلی بزرگ مدل را به کم‌برازش می‌کشاند (درس).",
    },
    "dropout_too_strong.message": {
        "en": "Dropout layer {layer} drops {p:.0%} of the units ({layers} layer(s) above "
              "one half).",
        "fa": "لایه‌ی دراپ‌اوت {layer} {p:.0%} از واحدها را حذف می‌کند ({layers} لایه بیش از "
              "نصف).",
    },
    "dropout_too_strong.cause": {
        "en": "With so few units left at each step the network learns slowly and underfits. "
              "Note: p is the probability of dropping (PyTorch's meaning), not of keeping.",
        "fa": "با واحدهای کمی که در هر گام باقی می‌ماند شبکه کند یاد می‌گیرد و کم‌برازش "
              "می‌شود. توجه: p احتمال حذف است (معنای PyTorch) نه احتمال نگه‌داشتن.",
    },
    "dropout_too_strong.advice": {
        "en": "Use p ≤ 0.5 for hidden layers (0.2 for inputs); if you meant keep-probability, "
              "pass 1 − p.",
        "fa": "برای لایه‌های پنهان p ≤ 0.5 (برای ورودی 0.2) بگذارید؛ اگر منظورتان احتمال "
              "نگه‌داشتن بود، 1 − p بدهید.",
    },
    "dropout_too_strong.rule": {
        "en": "Srivastava et al. (2014): drop probability 0.5 for hidden units at most.",
        "fa": "Srivastava و همکاران (2014): احتمال حذف حداکثر 0.5 برای واحدهای پنهان.",
    },
    "exploding_gradients.message": {
        "en": "Gradients grow towards the input: the first weight matrix ({first_layer}) "
              "gets {ratio}× the gradient RMS of the last ({last_layer}); largest norm "
              "{largest_norm}.",
        "fa": "گرادیان‌ها به سمت ورودی بزرگ می‌شوند: ماتریس وزن اول ({first_layer}) {ratio} "
              "برابر RMS گرادیان آخری ({last_layer}) را می‌گیرد؛ بزرگ‌ترین نُرم {largest_norm}.",
    },
    "exploding_gradients.cause": {
        "en": "Weights too large for the depth: every layer multiplies the backward signal by "
              "more than 1.",
        "fa": "وزن‌ها برای این عمق خیلی بزرگ‌اند: هر لایه سیگنال رو به عقب را در عددی بیش از "
              "1 ضرب می‌کند.",
    },
    "exploding_gradients.advice": {
        "en": "Use He (ReLU) or Xavier (tanh) initialization; clip the gradient norm; add "
              "batch norm.",
        "fa": "مقداردهی اولیه‌ی He (برای ReLU) یا Xavier (برای tanh) به کار ببرید؛ نُرم "
              "گرادیان را برش دهید؛ نرمال‌سازی دسته‌ای اضافه کنید.",
    },
    "exploding_gradients.rule": {
        "en": "∂L/∂W₁ is a product of the layers' Jacobians: factors above 1 compound with "
              "depth.",
        "fa": "∂L/∂W₁ حاصل‌ضرب ژاکوبی‌های لایه‌هاست: ضریب‌های بزرگ‌تر از 1 با عمق انباشته "
              "می‌شوند.",
    },
    "vanishing_gradients.message": {
        "en": "Gradients vanish towards the input: the first weight matrix ({first_layer}) "
              "gets {ratio} times the gradient RMS of the last ({last_layer}).",
        "fa": "گرادیان‌ها به سمت ورودی محو می‌شوند: ماتریس وزن اول ({first_layer}) {ratio} "
              "برابر RMS گرادیان آخری ({last_layer}) را می‌گیرد.",
    },
    "vanishing_gradients.cause": {
        "en": "Saturating activations (sigmoid's derivative is at most 0.25) or small weights "
              "shrink the backward signal at every layer, so early layers barely learn.",
        "fa": "توابع فعال‌سازی اشباع‌شونده (مشتق sigmoid حداکثر 0.25 است) یا وزن‌های کوچک "
              "سیگنال رو به عقب را در هر لایه کوچک می‌کنند، پس لایه‌های اول به‌سختی یاد "
              "می‌گیرند.",
    },
    "vanishing_gradients.advice": {
        "en": "Use ReLU with He initialization, batch norm, or skip connections.",
        "fa": "از ReLU با مقداردهی He، نرمال‌سازی دسته‌ای یا اتصال‌های میان‌بر استفاده کنید.",
    },
    "vanishing_gradients.rule": {
        "en": "∂L/∂W₁ is a product of the layers' Jacobians: factors below 1 compound with "
              "depth.",
        "fa": "∂L/∂W₁ حاصل‌ضرب ژاکوبی‌های لایه‌هاست: ضریب‌های کوچک‌تر از 1 با عمق انباشته "
              "می‌شوند.",
    },
    "activations_saturated.message": {
        "en": "{share:.0%} of the outputs of layer {layer} are saturated at the limits of "
              "the activation ({layers} layer(s) mostly saturated).",
        "fa": "{share:.0%} از خروجی‌های لایه‌ی {layer} در مرزهای تابع فعال‌سازی اشباع "
              "شده‌اند ({layers} لایه بیشتر اشباع).",
    },
    "activations_saturated.cause": {
        "en": "Pre-activations are too large (weights like 1.0·N(0, 1), or unscaled inputs): "
              "tanh/sigmoid sit at ±1 where their gradient is ≈ 0.",
        "fa": "پیش‌فعال‌سازی‌ها خیلی بزرگ‌اند (وزن‌هایی مثل 1.0·N(0, 1) یا ورودی‌های "
              "مقیاس‌نشده): tanh/sigmoid در ±1 می‌نشینند که گرادیانشان ≈ 0 است.",
    },
    "activations_saturated.advice": {
        "en": "Use Xavier initialization (std 1/√fan_in) and standardized inputs.",
        "fa": "مقداردهی اولیه‌ی Xavier (انحراف معیار 1/√fan_in) و ورودی‌های استانداردشده به "
              "کار ببرید.",
    },
    "activations_saturated.rule": {
        "en": "tanh'(x) = 1 − tanh²(x) → 0 as |x| grows (lecture: saturated neurons kill the "
              "gradient).",
        "fa": "tanh'(x) = 1 − tanh²(x) با بزرگ شدن |x| به 0 می‌رود (درس: نورون‌های اشباع "
              "گرادیان را از بین می‌برند).",
    },
    "activations_vanishing.message": {
        "en": "Activations shrink with depth: std {first_std} after layer {first_layer}, "
              "{last_std} after layer {last_layer} (step {step}).",
        "fa": "فعال‌سازی‌ها با عمق کوچک می‌شوند: انحراف معیار {first_std} پس از لایه‌ی "
              "{first_layer} و {last_std} پس از لایه‌ی {last_layer} (گام {step}).",
    },
    "activations_vanishing.cause": {
        "en": "Weights too small for the width (like 0.01·N(0, 1)): each layer scales the "
              "signal down, so deep layers see nearly zeros and their gradients vanish too.",
        "fa": "وزن‌ها برای این پهنا خیلی کوچک‌اند (مثل 0.01·N(0, 1)): هر لایه سیگنال را "
              "کوچک می‌کند، پس لایه‌های عمیق تقریباً صفر می‌بینند و گرادیانشان هم محو می‌شود.",
    },
    "activations_vanishing.advice": {
        "en": "Use Xavier (tanh) or He (ReLU) initialization, or add batch norm.",
        "fa": "مقداردهی Xavier (برای tanh) یا He (برای ReLU) به کار ببرید، یا نرمال‌سازی "
              "دسته‌ای اضافه کنید.",
    },
    "activations_vanishing.rule": {
        "en": "Var(y) = n·Var(w)·Var(x): keep n·Var(w) ≈ 1 (Xavier) or 2 (He) per layer "
              "(lecture's 10-layer experiment).",
        "fa": "Var(y) = n·Var(w)·Var(x): در هر لایه n·Var(w) را نزدیک 1 (Xavier) یا 2 (He) "
              "نگه دارید (آزمایش ۱۰ لایه‌ی درس).",
    },
    "dead_relu.message": {
        "en": "{share:.0%} of the ReLU units of layer {layer} never fired in the last "
              "recorded batches (step {step}; {mean_share:.0%} over {layers} ReLU layer(s)).",
        "fa": "{share:.0%} از واحدهای ReLU لایه‌ی {layer} در آخرین دسته‌های ثبت‌شده هرگز "
              "فعال نشدند (گام {step}؛ {mean_share:.0%} در {layers} لایه‌ی ReLU).",
    },
    "dead_relu.cause": {
        "en": "A unit whose input is negative for every example outputs 0 with gradient 0 "
              "and never recovers: a too-high learning rate or a bad initialization (large "
              "negative biases) pushed it there.",
        "fa": "واحدی که ورودی‌اش برای همه‌ی نمونه‌ها منفی است 0 با گرادیان 0 می‌دهد و هرگز "
              "برنمی‌گردد: نرخ یادگیری خیلی بالا یا مقداردهی بد (بایاس‌های منفی بزرگ) آن را "
              "آنجا رانده است.",
    },
    "dead_relu.advice": {
        "en": "Lower the learning rate, use He initialization with zero biases, or Leaky "
              "ReLU.",
        "fa": "نرخ یادگیری را کم کنید، مقداردهی He با بایاس صفر به کار ببرید یا از Leaky "
              "ReLU استفاده کنید.",
    },
    "dead_relu.rule": {
        "en": "ReLU'(x) = 0 for x < 0; lecture: 10–20% dead units are common, more is a "
              "problem.",
        "fa": "ReLU'(x) = 0 برای x < 0؛ درس: ۱۰ تا ۲۰ درصد واحد مرده عادی است، بیشتر مشکل است.",
    },
    "nonfinite_loss.message": {
        "en": "The loss became NaN/Inf at step {step} (first non-finite value in layer "
              "{layer}); the last finite loss was {last_finite_loss}.",
        "fa": "هزینه در گام {step} به NaN/Inf رسید (اولین مقدار نامتناهی در لایه‌ی {layer})؛ "
              "آخرین هزینه‌ی متناهی {last_finite_loss} بود.",
    },
    "nonfinite_loss.cause": {
        "en": "An overflow: a learning rate too high, exploding activations, unscaled inputs, "
              "or a log/division by zero in a hand-written loss.",
        "fa": "یک سرریز: نرخ یادگیری خیلی بالا، فعال‌سازی‌های منفجرشونده، ورودی‌های "
              "مقیاس‌نشده، یا log/تقسیم بر صفر در تابع هزینه‌ی دست‌نویس.",
    },
    "nonfinite_loss.advice": {
        "en": "Lower the learning rate 10×; use the library's stable losses (cross_entropy "
              "on logits) instead of log(softmax(x)).",
        "fa": "نرخ یادگیری را ۱۰ برابر کم کنید؛ به جای log(softmax(x)) از توابع هزینه‌ی پایدار "
              "کتابخانه (cross_entropy روی logits) استفاده کنید.",
    },
    "nonfinite_loss.rule": {
        "en": "Lecture: NaN/Inf in the loss means the learning rate is too high, or a numeric "
              "bug.",
        "fa": "درس: NaN/Inf در هزینه یعنی نرخ یادگیری خیلی بالاست یا یک اشکال عددی هست.",
    },
    "loss_increasing.message": {
        "en": "The loss goes up: from {start} to {end} (peak {peak}, {factor}× the initial "
              "{initial}).",
        "fa": "هزینه بالا می‌رود: از {start} به {end} (اوج {peak}، {factor} برابر مقدار اولیه‌ی "
              "{initial}).",
    },
    "loss_increasing.cause": {
        "en": "The updates move uphill: a learning rate too high, or a sign error in a "
              "hand-written gradient.",
        "fa": "به‌روزرسانی‌ها رو به بالا می‌روند: نرخ یادگیری خیلی بالا، یا خطای علامت در "
              "گرادیان دست‌نویس.",
    },
    "loss_increasing.advice": {
        "en": "Lower the learning rate 10×; if that does not help, run a gradient check.",
        "fa": "نرخ یادگیری را ۱۰ برابر کم کنید؛ اگر کمک نکرد، بررسی گرادیان را اجرا کنید.",
    },
    "loss_increasing.rule": {
        "en": "Gradient descent lowers the loss for a small enough step.",
        "fa": "نزول گرادیان با گام به اندازه‌ی کافی کوچک هزینه را کاهش می‌دهد.",
    },
    "oscillating_loss.message": {
        "en": "The loss oscillates: {backtrack:.0%} of its movement is undone, in steps of "
              "{amplitude:.0%} of its size ({points} points).",
        "fa": "هزینه نوسان می‌کند: {backtrack:.0%} از حرکتش برمی‌گردد، با گام‌هایی به اندازه‌ی "
              "{amplitude:.0%} مقدارش ({points} نقطه).",
    },
    "oscillating_loss.cause": {
        "en": "Steps jump across a valley instead of down it: a learning rate (or momentum) "
              "too high for the curvature.",
        "fa": "گام‌ها به جای پایین رفتن در دره از روی آن می‌پرند: نرخ یادگیری (یا تکانه) "
              "برای این انحنا خیلی بالاست.",
    },
    "oscillating_loss.advice": {
        "en": "Lower the learning rate, or decay it with a schedule.",
        "fa": "نرخ یادگیری را کم کنید یا با یک زمان‌بندی کاهشش دهید.",
    },
    "oscillating_loss.rule": {
        "en": "With learning rate η on curvature λ, gradient descent oscillates when ηλ > 1.",
        "fa": "با نرخ یادگیری η روی انحنای λ، نزول گرادیان وقتی ηλ > 1 باشد نوسان می‌کند.",
    },
    "initial_loss_off.message": {
        "en": "The initial loss {loss} is {ratio}× what chance predicts ({expected}).",
        "fa": "هزینه‌ی اولیه {loss} برابر {ratio} مقداری است که شانس پیش‌بینی می‌کند "
              "({expected}).",
    },
    "initial_loss_off.cause": {
        "en": "The untrained scores are far from 0: initial weights too large, unscaled "
              "inputs, or a loss that is not what you think.",
        "fa": "امتیازهای مدل آموزش‌ندیده از 0 دورند: وزن‌های اولیه‌ی خیلی بزرگ، ورودی‌های "
              "مقیاس‌نشده، یا تابع هزینه‌ای که آن نیست که فکر می‌کنید.",
    },
    "initial_loss_off.advice": {
        "en": "Check the input scale and the initialization of the last layers; compute the "
              "loss of an untrained model by hand.",
        "fa": "مقیاس ورودی و مقداردهی اولیه‌ی لایه‌های آخر را بررسی کنید؛ هزینه‌ی مدل "
              "آموزش‌ندیده را دستی حساب کنید.",
    },
    "initial_loss_off.rule": {
        "en": "Lecture sanity check 1: initial loss ≈ ln C for softmax (C − 1 for the SVM) "
              "with regularization off.",
        "fa": "بررسی سلامت ۱ درس: هزینه‌ی اولیه ≈ ln C برای softmax (و C − 1 برای SVM) با "
              "منظم‌سازی خاموش.",
    },
    "regularization_no_effect.message": {
        "en": "Adding the L2 penalty (λ = {strength}) does not raise the loss ({loss} → "
              "{regularized_loss}).",
        "fa": "افزودن جریمه‌ی L2 (λ = {strength}) هزینه را بالا نمی‌برد ({loss} ← "
              "{regularized_loss}).",
    },
    "regularization_no_effect.cause": {
        "en": "The weights are all zero, so the penalty ½λ‖W‖² is zero too.",
        "fa": "همه‌ی وزن‌ها صفرند، پس جریمه‌ی ½λ‖W‖² هم صفر است.",
    },
    "regularization_no_effect.advice": {
        "en": "Initialize the weights randomly.",
        "fa": "وزن‌ها را تصادفی مقداردهی کنید.",
    },
    "regularization_no_effect.rule": {
        "en": "Lecture sanity check 2: the loss goes up when regularization is turned on.",
        "fa": "بررسی سلامت ۲ درس: با روشن کردن منظم‌سازی هزینه بالا می‌رود.",
    },
    "cannot_overfit.message": {
        "en": "The model cannot overfit {examples} examples: {measure} {achieved} after "
              "{steps} full-batch steps (final loss {final_loss}).",
        "fa": "مدل نمی‌تواند روی {examples} نمونه بیش‌برازش کند: {measure} {achieved} پس از "
              "{steps} گام تمام‌دسته (هزینه‌ی نهایی {final_loss}).",
    },
    "cannot_overfit.cause": {
        "en": "Something blocks learning altogether: a bug in the model or loss, dead or "
              "saturated units, or a learning rate far off.",
        "fa": "چیزی کل یادگیری را مسدود کرده: اشکالی در مدل یا تابع هزینه، واحدهای مرده یا "
              "اشباع، یا نرخ یادگیری بسیار نامناسب.",
    },
    "cannot_overfit.advice": {
        "en": "Fix the other findings first; a healthy model fits 20 examples perfectly in a "
              "few hundred steps.",
        "fa": "اول یافته‌های دیگر را رفع کنید؛ یک مدل سالم ۲۰ نمونه را در چند صد گام کامل "
              "برازش می‌کند.",
    },
    "cannot_overfit.rule": {
        "en": "Lecture sanity check 3: overfit a small subset (~20 examples) to ~100% with "
              "regularization off.",
        "fa": "بررسی سلامت ۳ درس: روی زیرمجموعه‌ی کوچکی (حدود ۲۰ نمونه) با منظم‌سازی "
              "خاموش تا حدود ۱۰۰٪ بیش‌برازش کنید.",
    },
    "underfitting.message": {
        "en": "The model underfits: training loss {train_loss} at step {step} is still "
              "{remaining:.0%} of what the zeroed-input baseline reaches ({baseline_loss}).",
        "fa": "مدل کم‌برازش است: هزینه‌ی آموزش {train_loss} در گام {step} هنوز {remaining:.0%} "
              "مقداری است که خط پایه با ورودی صفر به آن می‌رسد ({baseline_loss}).",
    },
    "underfitting.cause": {
        "en": "Too little capacity (too small, or linear where the data is not), too much "
              "regularization, or too few steps.",
        "fa": "ظرفیت کم (مدل خیلی کوچک یا خطی برای داده‌ی غیرخطی)، منظم‌سازی زیاد، یا "
              "گام‌های خیلی کم.",
    },
    "underfitting.advice": {
        "en": "Make the model bigger (wider or deeper, with nonlinearities), reduce "
              "regularization, or train longer.",
        "fa": "مدل را بزرگ‌تر کنید (پهن‌تر یا عمیق‌تر، با توابع غیرخطی)، منظم‌سازی را کم "
              "کنید یا بیشتر آموزش دهید.",
    },
    "underfitting.rule": {
        "en": "Lecture: low training accuracy with no gap to validation → underfitting, "
              "increase capacity.",
        "fa": "درس: دقت آموزش پایین بدون فاصله با اعتبارسنجی ← کم‌برازش، ظرفیت را بیشتر "
              "کنید.",
    },
    "overfitting.message": {
        "en": "The model overfits: {measure} {train} on training against {val} on validation "
              "at step {step}.",
        "fa": "مدل بیش‌برازش است: {measure} {train} روی آموزش در برابر {val} روی اعتبارسنجی "
              "در گام {step}.",
    },
    "overfitting.cause": {
        "en": "The model memorizes the training examples instead of learning what "
              "generalizes: much capacity, little data, little regularization.",
        "fa": "مدل نمونه‌های آموزش را حفظ می‌کند به جای یادگرفتن آنچه تعمیم می‌یابد: ظرفیت "
              "زیاد، داده‌ی کم، منظم‌سازی کم.",
    },
    "overfitting.advice": {
        "en": "More data or augmentation, weight decay, dropout, or early stopping on the "
              "validation loss.",
        "fa": "داده‌ی بیشتر یا داده‌افزایی، کاهش وزن، دراپ‌اوت، یا توقف زودهنگام روی هزینه‌ی "
              "اعتبارسنجی.",
    },
    "overfitting.rule": {
        "en": "Lecture: a big gap between training and validation accuracy → overfitting, "
              "increase regularization.",
        "fa": "درس: فاصله‌ی زیاد دقت آموزش و اعتبارسنجی ← بیش‌برازش، منظم‌سازی را بیشتر "
              "کنید.",
    },
    "bias_before_batch_norm.message": {
        "en": "Layer {layer} has a bias right before batch norm {batch_norm}.",
        "fa": "لایه‌ی {layer} درست پیش از نرمال‌سازی دسته‌ای {batch_norm} بایاس دارد.",
    },
    "bias_before_batch_norm.cause": {
        "en": "Batch norm subtracts the mean, which removes any constant bias: those "
              "parameters are wasted.",
        "fa": "نرمال‌سازی دسته‌ای میانگین را کم می‌کند و هر بایاس ثابتی را حذف می‌کند: آن "
              "پارامترها هدر می‌روند.",
    },
    "bias_before_batch_norm.advice": {
        "en": "Create the layer with bias=False; batch norm's own shift does the job.",
        "fa": "لایه را با bias=False بسازید؛ جابه‌جایی خود نرمال‌سازی دسته‌ای این کار را "
              "می‌کند.",
    },
    "bias_before_batch_norm.rule": {
        "en": "BN(x + b) = BN(x): batch norm is invariant to a constant shift.",
        "fa": "BN(x + b) = BN(x): نرمال‌سازی دسته‌ای به جابه‌جایی ثابت حساس نیست.",
    },
}
