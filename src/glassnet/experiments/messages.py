"""The words of glassnet's reports (comparisons, reports on run folders, and later searches),
in English and Persian. Keys name the idea, not the page, so other pages (the image-search
page, a search's leaderboard) can share them. Numbers and names are ``{fields}`` filled in
by the code from the data; in Persian they are kept left to right (see ``report.say``).
"""

MESSAGES = {
    # --- titles and headings -------------------------------------------------------------
    "comparison_title": {"en": "Comparison: {factors}", "fa": "مقایسه: {factors}"},
    "runs_title": {"en": "Report on {count} runs", "fa": "گزارش {count} اجرا"},
    "fair_heading": {"en": "What was compared, and why it is a fair comparison",
                     "fa": "چه چیزی مقایسه شد و چرا مقایسه منصفانه است"},
    "results_heading": {"en": "Results", "fa": "نتایج"},
    "findings_heading": {"en": "What the numbers say", "fa": "اعداد چه می‌گویند"},
    "runs_heading": {"en": "Runs", "fa": "اجراها"},
    "config_heading": {"en": "Configuration", "fa": "پیکربندی"},
    "environment_heading": {"en": "Environment", "fa": "محیط اجرا"},
    # --- the introduction ----------------------------------------------------------------
    "intro": {
        "en": "{runs} training runs: {variants} variants × {seeds} seeds ({seed_list}). "
              "Model {model} on {dataset}, {epochs} epochs per run.",
        "fa": "{runs} اجرای آموزش: {variants} حالت × {seeds} بذر تصادفی ({seed_list}). "
              "مدل {model} روی {dataset}، {epochs} دوره (epoch) در هر اجرا.",
    },
    "intro_no_factor": {
        "en": "{runs} training runs that differ in no option but their seed ({seed_list}).",
        "fa": "{runs} اجرای آموزش که جز در بذر تصادفی ({seed_list}) در هیچ گزینه‌ای فرق "
              "ندارند.",
    },
    # --- fairness ------------------------------------------------------------------------
    "varied": {"en": "**Varied:** {factor} ∈ {{{values}}}.",
               "fa": "**متغیر:** {factor} ∈ {{{values}}}."},
    "held_fixed": {
        "en": "**Held fixed:** every other option, the same for every run (see "
              "Configuration below): {options}.",
        "fa": "**ثابت نگه‌داشته‌شده:** همهٔ گزینه‌های دیگر، یکسان برای همهٔ اجراها (بخش "
              "پیکربندی را ببینید): {options}.",
    },
    "seeds_line": {
        "en": "**Seeds:** {seed_list}. Every variant is trained once per seed, and the "
              "seed alone decides the split, the initial weights and the batch order.",
        "fa": "**بذرهای تصادفی:** {seed_list}. هر حالت یک بار با هر بذر آموزش داده شد و "
              "تقسیم داده، وزن‌های اولیه و ترتیب دسته‌ها فقط به بذر بستگی دارند.",
    },
    "checked_intro": {
        "en": "Checked from the hashes each run recorded when it started (fingerprint.json), "
              "across the variants that share a seed:",
        "fa": "بررسی‌شده از روی هش‌هایی که هر اجرا هنگام شروع ثبت کرد (fingerprint.json)، "
              "میان حالت‌هایی که بذر مشترک دارند:",
    },
    "property_data": {"en": "training data after the split and preprocessing",
                      "fa": "داده‌های آموزش پس از تقسیم و پیش‌پردازش"},
    "property_initial_weights": {"en": "initial weights", "fa": "وزن‌های اولیه"},
    "property_batch_order": {"en": "batch order", "fa": "ترتیب دسته‌ها (batch)"},
    "check_same": {"en": "{property}: identical ({seeds} seeds checked).",
                   "fa": "{property}: یکسان ({seeds} بذر بررسی شد)."},
    "check_differs": {
        "en": "{property}: differs between variants sharing seed {seed_list} — expected "
              "when the varied factor ({factors}) changes it, otherwise not a fair "
              "comparison.",
        "fa": "{property}: میان حالت‌های دارای بذر {seed_list} متفاوت است — اگر عامل متغیر "
              "({factors}) آن را تغییر می‌دهد این انتظار می‌رود، وگرنه مقایسه منصفانه نیست.",
    },
    "check_unknown": {"en": "{property}: not recorded by these runs, so not checked.",
                      "fa": "{property}: این اجراها آن را ثبت نکرده‌اند، پس بررسی نشد."},
    "check_single": {
        "en": "No two variants share a seed, so nothing could be checked.",
        "fa": "هیچ دو حالتی بذر مشترک ندارند، پس چیزی برای بررسی نبود.",
    },
    "seeds_differ": {
        "en": "Different seeds started from different initial weights: {answer}.",
        "fa": "بذرهای متفاوت از وزن‌های اولیهٔ متفاوت شروع کردند: {answer}.",
    },
    "yes": {"en": "yes", "fa": "بله"},
    "no": {"en": "no", "fa": "خیر"},
    # --- results -------------------------------------------------------------------------
    "variant": {"en": "variant", "fa": "حالت"},
    "finished_runs": {"en": "finished runs", "fa": "اجراهای تمام‌شده"},
    "test_accuracy": {"en": "test accuracy", "fa": "دقت آزمون"},
    "best_val_accuracy": {"en": "best val. accuracy", "fa": "بهترین دقت اعتبارسنجی"},
    "final_loss": {"en": "final train loss", "fa": "خطای نهایی آموزش"},
    "gap": {"en": "train − val accuracy", "fa": "دقت آموزش − اعتبارسنجی"},
    "seconds_per_run": {"en": "seconds per run", "fa": "ثانیه در هر اجرا"},
    "table_note": {
        "en": "Mean ± sample standard deviation over the seeds of each variant; runs that "
              "diverged or did not finish are left out of the means.",
        "fa": "میانگین ± انحراف معیار نمونه روی بذرهای هر حالت؛ اجراهایی که واگرا شدند یا "
              "تمام نشدند در میانگین‌ها حساب نشده‌اند.",
    },
    "figure_results": {
        "en": "Test accuracy of every run: each dot is one seed, the bar is the mean ± "
              "standard deviation.",
        "fa": "دقت آزمون هر اجرا: هر نقطه یک بذر است و میله میانگین ± انحراف معیار.",
    },
    "figure_curves": {
        "en": "Training curves: the line is the mean over seeds, the band the spread "
              "(minimum to maximum); dashed: training, solid: validation.",
        "fa": "منحنی‌های آموزش: خط میانگین روی بذرها و نوار بازهٔ پراکندگی (کمینه تا "
              "بیشینه) است؛ خط‌چین: آموزش، خط پر: اعتبارسنجی.",
    },
    # --- what the numbers say ------------------------------------------------------------
    "ranking": {"en": "Ranked by mean {metric}:", "fa": "رتبه‌بندی بر پایهٔ میانگین {metric}:"},
    "ranking_item": {"en": "{label}: {value}", "fa": "{label}: {value}"},
    "gap_clear": {
        "en": "{better} is ahead of {worse} by {gap}, {ratio}× the larger seed-to-seed "
              "standard deviation ({spread}), and won on {wins} of {paired} shared seeds: "
              "a gap larger than the spread.",
        "fa": "{better} با فاصلهٔ {gap} از {worse} جلوتر است، {ratio} برابرِ بزرگ‌ترین "
              "انحراف معیار میان بذرها ({spread})، و در {wins} از {paired} بذر مشترک بهتر "
              "بود: فاصله‌ای بزرگ‌تر از پراکندگی.",
    },
    "gap_comparable": {
        "en": "{better} is ahead of {worse} by {gap}, about the size of the seed-to-seed "
              "standard deviation ({spread}); it won on {wins} of {paired} shared seeds. "
              "More seeds are needed to call it.",
        "fa": "{better} با فاصلهٔ {gap} از {worse} جلوتر است، در حدود انحراف معیار میان "
              "بذرها ({spread})؛ در {wins} از {paired} بذر مشترک بهتر بود. برای قضاوت به "
              "بذرهای بیشتری نیاز است.",
    },
    "gap_within": {
        "en": "{better} and {worse} differ by {gap}, less than the seed-to-seed standard "
              "deviation ({spread}): these seeds cannot tell them apart.",
        "fa": "تفاوت {better} و {worse} برابر {gap} است، کمتر از انحراف معیار میان بذرها "
              "({spread}): این بذرها نمی‌توانند آن دو را از هم تمیز دهند.",
    },
    "gap_no_spread": {
        "en": "{better} is ahead of {worse} by {gap}, but each has only one finished seed, "
              "so the spread is unknown.",
        "fa": "{better} با فاصلهٔ {gap} از {worse} جلوتر است، اما هر کدام فقط یک بذرِ "
              "تمام‌شده دارد، پس پراکندگی معلوم نیست.",
    },
    "tie": {
        "en": "{better} and {worse} have the same mean.",
        "fa": "میانگین {better} و {worse} یکسان است.",
    },
    "one_seed": {
        "en": "Each variant ran with one seed only, so the seed-to-seed spread is unknown "
              "and the ranking may change with another seed (run more, e.g. "
              "`--seeds 0,1,2`).",
        "fa": "هر حالت فقط با یک بذر اجرا شد، پس پراکندگی میان بذرها معلوم نیست و رتبه‌بندی "
              "ممکن است با بذر دیگری عوض شود (بذرهای بیشتری اجرا کنید، مثلاً "
              "`--seeds 0,1,2`).",
    },
    "diverged": {
        "en": "{label} diverged in {count} of {total} seeds (the loss blew up); last finite "
              "training loss {loss} at step {step}.",
        "fa": "{label} در {count} از {total} بذر واگرا شد (خطا منفجر شد)؛ آخرین خطای "
              "آموزشِ متناهی {loss} در گام {step}.",
    },
    "not_ranked": {
        "en": "{label} has no finished run, so it is not ranked.",
        "fa": "{label} هیچ اجرای تمام‌شده‌ای ندارد، پس رتبه‌بندی نشد.",
    },
    "overfit_most": {
        "en": "{label} overfit most: at the last epoch its training accuracy exceeds its "
              "validation accuracy by {gap} (mean over seeds; {train} against {val}).",
        "fa": "بیشترین بیش‌برازش (overfitting) از آنِ {label} است: در دورهٔ آخر دقت آموزش آن "
              "{gap} از دقت اعتبارسنجی بیشتر است (میانگین روی بذرها؛ {train} در برابر {val}).",
    },
    "overfit_none": {
        "en": "No variant overfit noticeably: the largest gap between training and "
              "validation accuracy at the last epoch is {gap} ({label}).",
        "fa": "هیچ حالتی آشکارا بیش‌برازش نکرد: بزرگ‌ترین فاصلهٔ دقت آموزش و اعتبارسنجی در "
              "دورهٔ آخر {gap} است ({label}).",
    },
    "val_loss_rose": {
        "en": "The validation loss of {label} rose after its minimum in {count} of {total} "
              "seeds (minimum at epoch {epoch} in the first of them).",
        "fa": "خطای اعتبارسنجی {label} در {count} از {total} بذر پس از کمینه‌اش بالا رفت "
              "(کمینه در دورهٔ {epoch} در نخستینِ آن‌ها).",
    },
    "time_range": {
        "en": "Training took {fast} s per run for {fast_label} up to {slow} s for "
              "{slow_label} (wall time on a possibly shared machine: a rough guide).",
        "fa": "آموزش از {fast} ثانیه در هر اجرا برای {fast_label} تا {slow} ثانیه برای "
              "{slow_label} طول کشید (زمان واقعی روی ماشینی که شاید مشترک بوده: تقریبی).",
    },
    "unfinished": {
        "en": "{count} runs did not finish and are left out: {names}.",
        "fa": "{count} اجرا تمام نشد و کنار گذاشته شد: {names}.",
    },
    # --- the best run on the test set ----------------------------------------------------
    "best_run_heading": {"en": "The best run on the test set",
                         "fa": "بهترین اجرا روی مجموعهٔ آزمون"},
    "best_run_intro": {
        "en": "The run with the highest test accuracy, {run}, rebuilt from its final "
              "checkpoint: {wrong} of {count} test images misclassified (accuracy {accuracy}).",
        "fa": "اجرایی که بیشترین دقت آزمون را دارد، {run}، از آخرین نقطهٔ ذخیره‌اش بازسازی شد: "
              "{wrong} از {count} تصویر آزمون اشتباه طبقه‌بندی شد (دقت {accuracy}).",
    },
    "best_run_unavailable": {
        "en": "The best run, {run}, could not be looked at on the test set: {reason}",
        "fa": "بهترین اجرا، {run}، روی مجموعهٔ آزمون بررسی نشد: {reason}",
    },
    "figure_confusion": {
        "en": "Confusion matrix: row = true class, column = predicted class; the diagonal "
              "holds the correct predictions.",
        "fa": "ماتریس درهم‌ریختگی: سطر = کلاس درست، ستون = کلاس پیش‌بینی‌شده؛ قطر اصلی "
              "پیش‌بینی‌های درست است.",
    },
    "figure_misclassified": {
        "en": "The first misclassified test images, with their true and predicted classes.",
        "fa": "نخستین تصویرهای آزمون که اشتباه طبقه‌بندی شدند، با کلاس درست و پیش‌بینی‌شده.",
    },
    # --- runs, statuses ------------------------------------------------------------------
    "run": {"en": "run", "fa": "اجرا"},
    "seed": {"en": "seed", "fa": "بذر"},
    "status": {"en": "status", "fa": "وضعیت"},
    "epochs": {"en": "epochs", "fa": "دوره‌ها"},
    "seconds": {"en": "seconds", "fa": "ثانیه"},
    "status_complete": {"en": "complete", "fa": "کامل"},
    "status_early_stopped": {"en": "stopped early", "fa": "توقف زودهنگام"},
    "status_diverged": {"en": "diverged", "fa": "واگرا"},
    "status_unfinished": {"en": "unfinished", "fa": "ناتمام"},
    "status_failed": {"en": "failed", "fa": "شکست‌خورده"},
    # --- configuration and environment ---------------------------------------------------
    "config_note": {
        "en": "The options every run shares, as a file `glassnet train --config` reads; the "
              "varied factors and the seed are set per run.",
        "fa": "گزینه‌هایی که همهٔ اجراها در آن مشترک‌اند، به شکل فایلی که "
              "`glassnet train --config` می‌خواند؛ عامل‌های متغیر و بذر برای هر اجرا جدا "
              "تعیین شده‌اند.",
    },
    "env_versions": {"en": "Versions: {versions}.", "fa": "نسخه‌ها: {versions}."},
    "env_blas": {"en": "BLAS: {blas}.", "fa": "BLAS: {blas}."},
    "env_machine": {"en": "Machine: {machine}, {cores} CPU cores.",
                    "fa": "ماشین: {machine}، {cores} هستهٔ پردازنده."},
    "env_threads": {"en": "Thread settings: {threads}.", "fa": "تنظیم رشته‌ها: {threads}."},
    "env_jobs": {
        "en": "Runs went {jobs} at a time, each with {threads} BLAS threads; the whole "
              "comparison took {seconds} s of wall time in its last session.",
        "fa": "اجراها {jobs} تا {jobs} هم‌زمان رفتند و هر کدام {threads} رشتهٔ BLAS داشت؛ کل "
              "مقایسه در آخرین نوبت {seconds} ثانیه طول کشید.",
    },
    "not_set": {"en": "not set", "fa": "تنظیم‌نشده"},
    # --- hyperparameter search (glassnet search) ------------------------------------------
    "search_title": {"en": "Hyperparameter search: {params}",
                     "fa": "جست‌وجوی ابرپارامتر: {params}"},
    "search_intro": {
        "en": "{trials} trials per round × {rounds} round(s) of {sampler} search on "
              "{dataset} with model {model}, {epochs} epoch(s) per trial; every trial is an "
              "ordinary run folder. Trials below the median of earlier ones at the same epoch "
              "were {pruning}. The study {study} is kept in {storage}.",
        "fa": "{trials} آزمایش در هر دور × {rounds} دور جست‌وجوی {sampler} روی {dataset} با مدل "
              "{model}، {epochs} دوره (epoch) در هر آزمایش؛ هر آزمایش یک پوشهٔ اجرای معمولی "
              "است. آزمایش‌هایی که از میانهٔ آزمایش‌های پیشین در همان دوره پایین‌تر بودند "
              "{pruning}. مطالعهٔ {study} در {storage} نگه داشته می‌شود.",
    },
    "pruning_on": {"en": "stopped early (pruned)", "fa": "زودتر متوقف شدند (هرس)"},
    "pruning_off": {"en": "not stopped (pruning off)", "fa": "متوقف نشدند (هرس خاموش)"},
    "space_heading": {"en": "The searched space", "fa": "فضای جست‌وجو"},
    "space_note": {
        "en": "log: uniform in log space (the lecture's 10^U(a, b)); round 1 and later "
              "sample from ranges narrowed around the best trials of the round before.",
        "fa": "log: یکنواخت در فضای لگاریتمی (10^U(a, b) در درس)؛ دور ۱ و بعد از آن از "
              "بازه‌هایی نمونه می‌گیرند که دور بهترین آزمایش‌های دور قبل تنگ شده‌اند.",
    },
    "parameter": {"en": "parameter", "fa": "پارامتر"},
    "round_n": {"en": "round {round}", "fa": "دور {round}"},
    "leaderboard_heading": {"en": "Leaderboard", "fa": "جدول رده‌بندی"},
    "leaderboard_counts": {
        "en": "{total} trials: {complete} complete, {pruned} pruned, {diverged} diverged, "
              "{failed} failed. The {shown} best are shown; leaderboard.csv has them all.",
        "fa": "{total} آزمایش: {complete} کامل، {pruned} هرس‌شده، {diverged} واگرا، "
              "{failed} شکست‌خورده. {shown} آزمایش برتر نشان داده شده‌اند؛ همه در "
              "leaderboard.csv هستند.",
    },
    "rank": {"en": "rank", "fa": "رتبه"},
    "round": {"en": "round", "fa": "دور"},
    "trial": {"en": "trial", "fa": "آزمایش"},
    "val_accuracy": {"en": "val. accuracy", "fa": "دقت اعتبارسنجی"},
    "state": {"en": "state", "fa": "وضعیت"},
    "status_pruned": {"en": "pruned", "fa": "هرس‌شده"},
    "status_running": {"en": "running or interrupted", "fa": "در حال اجرا یا قطع‌شده"},
    "status_waiting": {"en": "waiting", "fa": "در انتظار"},
    "search_best": {
        "en": "The best trial is trial {trial} of round {round}: validation accuracy {value} "
              "with {params}.",
        "fa": "بهترین آزمایش، آزمایش {trial} از دور {round} است: دقت اعتبارسنجی {value} با "
              "{params}.",
    },
    "search_top_spread": {
        "en": "The {count} best complete trials reach {mean} ± {std}: configurations within "
              "about that spread of each other are not told apart by this search.",
        "fa": "{count} آزمایش کامل برتر به {mean} ± {std} می‌رسند: پیکربندی‌هایی که "
              "فاصله‌شان در همین حدود است، با این جست‌وجو از هم تشخیص داده نمی‌شوند.",
    },
    "search_refined": {
        "en": "Round {round}'s best is {value}, against {previous} in round {before}: "
              "{verdict}.",
        "fa": "بهترینِ دور {round} برابر {value} است، در برابر {previous} در دور {before}: "
              "{verdict}.",
    },
    "refine_better": {"en": "better by more than the top trials' spread",
                      "fa": "بهتر، بیش از پراکندگی آزمایش‌های برتر"},
    "refine_same": {"en": "a difference within the top trials' spread",
                    "fa": "تفاوتی در حد پراکندگی آزمایش‌های برتر"},
    "search_diverged_range": {
        "en": "{count} trial(s) diverged; they drew {name} from {low} to {high} (complete "
              "trials: {low_ok} to {high_ok}).",
        "fa": "{count} آزمایش واگرا شد؛ مقدار {name} در آن‌ها از {low} تا {high} بود "
              "(آزمایش‌های کامل: {low_ok} تا {high_ok}).",
    },
    "search_no_complete": {
        "en": "No trial completed: every one was pruned, diverged or failed.",
        "fa": "هیچ آزمایشی کامل نشد: همه هرس شدند، واگرا شدند یا شکست خوردند.",
    },
    "search_figures_heading": {"en": "Figures", "fa": "نمودارها"},
    "caption_metric_params": {
        "en": "Validation accuracy against each searched parameter (hollow: pruned at the "
              "accuracy it had reached; crosses: diverged).",
        "fa": "دقت اعتبارسنجی بر حسب هر پارامتر جست‌وجوشده (توخالی: هرس‌شده با دقتی که به آن "
              "رسیده بود؛ ضربدر: واگرا).",
    },
    "caption_params_scatter": {
        "en": "Where in the space the good trials are: the first two parameters, coloured by "
              "validation accuracy.",
        "fa": "آزمایش‌های خوب کجای فضا هستند: دو پارامتر نخست، با رنگ دقت اعتبارسنجی.",
    },
    "caption_history": {
        "en": "Each trial's validation accuracy in the order they ran, and the best so far.",
        "fa": "دقت اعتبارسنجی هر آزمایش به ترتیب اجرا، و بهترینِ تا آن لحظه.",
    },
    "best_config_heading": {"en": "The best configuration", "fa": "بهترین پیکربندی"},
    "best_config_note": {
        "en": "best.toml, beside this report; train the final model with "
              "`glassnet train --config {path}`.",
        "fa": "فایل best.toml کنار این گزارش؛ مدل نهایی را با "
              "`glassnet train --config {path}` آموزش دهید.",
    },
}
