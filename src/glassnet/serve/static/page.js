// The image-search page: sends the chosen image to POST /api/search once per space
// (learned features and raw pixels) and draws the answers. No framework, no build step.
"use strict";

(() => {
  const config = JSON.parse(document.getElementById("page-config").textContent);
  const strings = JSON.parse(document.getElementById("page-strings").textContent);
  const byId = (id) => document.getElementById(id);
  const integer = new Intl.NumberFormat(config.lang);
  const decimal = new Intl.NumberFormat(config.lang, {
    minimumFractionDigits: 2, maximumFractionDigits: 2,
  });
  const percent = new Intl.NumberFormat(config.lang, {
    style: "percent", maximumFractionDigits: 1,
  });
  const SPACES = ["features", "pixels"];
  let latest = 0; // the number of the newest search: older answers are dropped
  let originalUrl = null;

  // A sentence of the strings table with its {fields} filled in.
  function format(key, values = {}) {
    return strings[key].replace(/\{(\w+)\}/g, (field, name) =>
      name in values ? values[name] : field);
  }

  function withLang(path) {
    return `${path}${path.includes("?") ? "&" : "?"}lang=${config.lang}`;
  }

  function showError(message) {
    const box = byId("error");
    box.textContent = message || "";
    box.hidden = !message;
  }

  // The JSON of a response, or an Error carrying the server's {"error": ...} message.
  async function readJson(response) {
    let body = {};
    try {
      body = await response.json();
    } catch {
      // not JSON: keep the status text below
    }
    if (!response.ok) {
      throw new Error(body.error || `${response.status} ${response.statusText}`);
    }
    return body;
  }

  async function searchOne(file, space, k) {
    const form = new FormData();
    form.append("image", file);
    form.append("k", k);
    form.append("space", space);
    return readJson(await fetch(withLang("/api/search"), { method: "POST", body: form }));
  }

  // Search with one image; the caption says what it is (a test image's true class).
  async function search(file, caption = strings.your_image) {
    showError("");
    if (file.size > config.maxUploadBytes) {
      showError(format("error_too_large", {
        limit: integer.format(config.maxUploadBytes / 2 ** 20),
      }));
      return;
    }
    const number = ++latest;
    byId("status").textContent = strings.searching;
    try {
      const k = byId("k-input").value;
      const answers = await Promise.all(SPACES.map((space) => searchOne(file, space, k)));
      if (number !== latest) return;
      if (originalUrl) URL.revokeObjectURL(originalUrl);
      originalUrl = URL.createObjectURL(file);
      byId("query-original").src = originalUrl;
      byId("query-caption").textContent = caption;
      render(answers);
    } catch (error) {
      if (number !== latest) return;
      byId("results").hidden = true;
      showError(error instanceof TypeError ? strings.error_network : error.message);
    } finally {
      if (number === latest) byId("status").textContent = "";
    }
  }

  function render(answers) {
    const prediction = answers[0].prediction;
    byId("query-model").src = answers[0].query;
    byId("prediction-text").textContent = format("prediction", {
      name: prediction.name,
      percent: percent.format(prediction.probabilities[prediction.label]),
    });
    renderProbabilities(prediction.probabilities);
    answers.forEach((answer, i) => {
      const panel = document.querySelector(`.panel[data-space="${SPACES[i]}"]`);
      renderPanel(panel, answer, prediction);
    });
    byId("results").hidden = false;
  }

  // The three most probable classes, each with a bar.
  function renderProbabilities(probabilities) {
    const table = byId("probabilities");
    const top = probabilities
      .map((p, label) => [p, label])
      .sort((a, b) => b[0] - a[0])
      .slice(0, 3);
    table.replaceChildren(...top.map(([p, label]) => {
      const row = document.createElement("tr");
      const name = document.createElement("td");
      name.textContent = config.classNames[label];
      const bar = document.createElement("td");
      const meter = document.createElement("meter");
      meter.min = 0;
      meter.max = 1;
      meter.value = p;
      bar.append(meter);
      const value = document.createElement("td");
      value.textContent = percent.format(p);
      row.append(name, bar, value);
      return row;
    }));
  }

  function renderPanel(panel, answer, prediction) {
    let same = 0;
    const figures = answer.neighbors.map((neighbor) => {
      if (neighbor.label === prediction.label) same += 1;
      const figure = document.createElement("figure");
      figure.className = neighbor.label === prediction.label ? "neighbor same" : "neighbor";
      const image = document.createElement("img");
      image.className = "pixelated";
      image.src = neighbor.thumbnail;
      image.alt = format("neighbour_alt", { index: integer.format(neighbor.index),
                                            name: neighbor.name });
      const caption = document.createElement("figcaption");
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = neighbor.name;
      const distance = document.createElement("span");
      distance.className = "distance";
      distance.textContent = format("distance", { distance: decimal.format(neighbor.distance) });
      caption.append(name, distance);
      figure.append(image, caption);
      return figure;
    });
    panel.querySelector(".neighbors").replaceChildren(...figures);
    panel.querySelector(".agreement").textContent = format("agreement", {
      same: integer.format(same), k: integer.format(answer.neighbors.length),
      name: prediction.name,
    });
  }

  async function loadStrip(seed = null) {
    try {
      const query = seed === null ? "" : `&seed=${seed}`;
      const answer = await readJson(await fetch(withLang(
        `/api/test-images?count=${config.stripSize}${query}`)));
      byId("strip").replaceChildren(...answer.images.map((item) => {
        const button = document.createElement("button");
        button.type = "button";
        button.className = "strip-item";
        const image = document.createElement("img");
        image.className = "pixelated";
        image.src = item.thumbnail;
        image.alt = format("test_alt", { index: integer.format(item.index), name: item.name });
        button.title = image.alt;
        button.append(image);
        button.addEventListener("click", () => searchTestImage(item));
        return button;
      }));
    } catch (error) {
      showError(error instanceof TypeError ? strings.error_network : error.message);
    }
  }

  // A test image goes through the same upload as a file the user picks.
  async function searchTestImage(item) {
    try {
      const response = await fetch(item.thumbnail);
      if (!response.ok) throw new Error(`${response.status} ${response.statusText}`);
      const blob = await response.blob();
      const caption = format("test_alt", { index: integer.format(item.index), name: item.name });
      await search(new File([blob], `test-${item.index}.png`, { type: "image/png" }), caption);
    } catch (error) {
      showError(error instanceof TypeError ? strings.error_network : error.message);
    }
  }

  byId("image-input").addEventListener("change", (event) => {
    const [file] = event.target.files;
    if (file) search(file);
  });
  const dropZone = byId("drop-zone");
  dropZone.addEventListener("dragover", (event) => {
    event.preventDefault();
    dropZone.classList.add("dragging");
  });
  dropZone.addEventListener("dragleave", () => dropZone.classList.remove("dragging"));
  dropZone.addEventListener("drop", (event) => {
    event.preventDefault();
    dropZone.classList.remove("dragging");
    const [file] = event.dataTransfer.files;
    if (file) search(file);
  });
  for (const radio of document.querySelectorAll('input[name="view"]')) {
    radio.addEventListener("change", () => {
      byId("panels").className = `panels view-${radio.value}`;
    });
  }
  byId("shuffle").addEventListener("click", () => loadStrip());
  loadStrip(config.stripSeed);
})();
