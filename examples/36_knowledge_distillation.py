# %% [markdown]
# # 36. Why distil a large trained model instead of training a small one from scratch?
#
# A trained large model knows more than the labels say: its output distribution ranks the
# wrong classes ("this shirt looks a bit like a T-shirt, not at all like a boot"). Training
# the small model to match those soft targets, softened by a temperature T,
#
#     L = α·T²·KL(softmax(z_teacher/T) ‖ softmax(z_student/T)) + (1 − α)·CE(z_student, y)
#
# (`nn.functional.distillation_loss`; Hinton, Vinyals & Dean 2015), gives it many more bits
# of supervision per example than one label, so it learns more from the same examples —
# and the teacher can label inputs that have no labels at all. Trained alone, the small
# model only sees the hard labels.
#
# We train a large MLP on 5000 Fashion-MNIST images, then a small one on 500 of them: from
# scratch on the labels, and by distillation at several temperatures.

# %%
import numpy as np
from _lab import Lab

import glassnet as gn
from glassnet import models, nn, optim
from glassnet.data.loader import DataLoader
from glassnet.nn.loss import cross_entropy, distillation_loss
from glassnet.plot.figure import new_figure
from glassnet.train.trainer import Trainer

lab = Lab("36. Why distil a large trained model instead of training a small one from scratch?")
(X, y), _, (X_test, y_test) = lab.fashion_mnist(5000, lab.choose(2000, 1000))
classes = ("T-shirt", "trouser", "pullover", "dress", "coat", "sandal", "shirt", "sneaker",
           "bag", "boot")


def test_accuracy(model):
    model.eval()
    with gn.no_grad():
        return float((model(gn.tensor(X_test)).data.argmax(axis=1) == y_test).mean())


teacher = models.mlp(196, lab.choose([512, 512], [256, 256]), 10, dropout=0.3,
                     generator=np.random.default_rng(0))
teacher_trainer = Trainer(teacher, nn.CrossEntropyLoss(),
                          optim.Adam(teacher.parameters(), lr=1e-3),
                          generator=np.random.default_rng(1))
teacher_trainer.fit((X, y), epochs=lab.choose(10, 6), batch_size=64)
teacher_accuracy = test_accuracy(teacher)
teacher_logits = teacher_trainer.predict(X)

# %% [markdown]
# ## The student: a 32-unit MLP that sees only 500 examples

# %%
n_student = 500
student_x, student_y, student_teacher = X[:n_student], y[:n_student], teacher_logits[:n_student]


def train_student(temperature=None, alpha=0.0):
    student = models.mlp(196, [32], 10, generator=np.random.default_rng(2))
    optimizer = optim.Adam(student.parameters(), lr=1e-3)
    loader = DataLoader((student_x, student_y, student_teacher), batch_size=50, shuffle=True,
                        generator=np.random.default_rng(3))
    for _ in range(60):
        for xb, yb, zb in loader:
            out = student(gn.tensor(xb))
            if temperature is None:
                loss = cross_entropy(out, yb)
            else:
                loss = distillation_loss(out, zb, yb, temperature=temperature, alpha=alpha)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return student, test_accuracy(student)


size = {name: sum(p.size for p in m.parameters()) for name, m in
        (("teacher", teacher), ("student", models.mlp(196, [32], 10)))}
runs = {"from scratch (labels only)": train_student()}
for temperature in (1.0, 2.0, 4.0):
    runs[f"distilled, T={temperature:g}, α=0.9"] = train_student(temperature, 0.9)
runs["distilled, T=1, α=1 (no labels at all)"] = train_student(1.0, 1.0)
lab.table(["model", "parameters", "test accuracy"],
          [[f"teacher ({len(X)} examples)", size["teacher"], teacher_accuracy]]
          + [[f"student: {name}", size["student"], accuracy]
             for name, (_, accuracy) in runs.items()])
scratch = runs["from scratch (labels only)"][1]
distilled = {k: v[1] for k, v in runs.items() if k.startswith("distilled, T=") and "α=0.9" in k}
best_name = max(distilled, key=distilled.get)
lab.claim("the large model is better than the small one trained from scratch",
          teacher_accuracy > scratch, f"{teacher_accuracy:.3f} vs {scratch:.3f} with "
          f"{size['teacher'] / size['student']:.0f}× the parameters")
lab.claim("distillation makes the same small model, on the same 500 examples, better",
          distilled[best_name] > scratch + 0.01,
          f"{best_name}: {distilled[best_name]:.3f} vs {scratch:.3f} from scratch; "
          + ", ".join(f"{k.split(',')[1].strip()}: {v:.3f}" for k, v in distilled.items()))
no_labels = runs["distilled, T=1, α=1 (no labels at all)"][1]
lab.claim("the teacher's soft targets alone, without any label, teach more than the labels",
          no_labels > scratch, f"{no_labels:.3f} vs {scratch:.3f}")

# %% [markdown]
# ## What the soft targets contain

# %%
def softened(logits, temperature):
    z = logits / temperature
    p = np.exp(z - z.max(axis=1, keepdims=True))
    return p / p.sum(axis=1, keepdims=True)


entropy = {T: float(-(softened(teacher_logits, T) * np.log(softened(teacher_logits, T)
                                                             + 1e-12)).sum(axis=1).mean())
           for T in (1.0, 2.0, 4.0)}
lab.claim("the temperature spreads the teacher's probability over the runner-up classes",
          entropy[1.0] < entropy[2.0] < entropy[4.0],
          "mean entropy of the soft targets " + ", ".join(f"T={T:g}: {h:.2f} nats"
                                                          for T, h in entropy.items())
          + f" (a one-hot label: 0, uniform: {np.log(10):.2f})")
shirt = int(np.flatnonzero(y == classes.index("shirt"))[0])

# %%
figure = new_figure(11, 4)
left, right = figure.subplots(1, 2)
positions = np.arange(10)
for k, T in enumerate((1.0, 4.0)):
    left.bar(positions + (k - 0.5) * 0.4, softened(teacher_logits[shirt:shirt + 1], T)[0], 0.4,
             label=f"teacher, T = {T:g}")
left.set(xticks=positions, xticklabels=classes, ylabel="probability",
         title="Soft targets for one 'shirt' training image")
left.tick_params(axis="x", rotation=45)
left.legend(fontsize=8)
names = list(runs)
right.barh(range(len(names)), [runs[k][1] for k in names],
           color=["0.6"] + ["C0"] * (len(names) - 1))
right.axvline(teacher_accuracy, color="C3", linestyle=":", label="teacher")
right.set(yticks=range(len(names)), yticklabels=names, xlabel="test accuracy",
          xlim=(min(v for _, v in runs.values()) - 0.03, teacher_accuracy + 0.02),
          title="32-unit student on 500 examples")
right.legend(fontsize=8)
for ax in (left, right):
    ax.grid(alpha=0.3)
lab.save(figure, "36_knowledge_distillation.png")

lab.answer(f"The teacher's soft targets carry more than a label (how similar each class looks), "
           f"so the small model learns more from the same data: on 500 examples the 32-unit "
           f"student reached {distilled[best_name]:.3f} distilled "
           f"({best_name.split(',')[1].strip()}) "
           f"vs {scratch:.3f} from scratch ({no_labels:.3f} from soft targets without any "
           f"label); the teacher, {size['teacher'] / size['student']:.0f}× larger, had "
           f"{teacher_accuracy:.3f}.")
lab.finish()
