/* The application form saves itself as people type (progressive enhancement).

   Two seconds after the last change the form is sent with fetch to the same URL with the
   header X-Autosave: 1; the server saves the draft through the same service as the
   "Gem kladde" button and answers JSON: {"saved_at", "message", "errors", "summary"}.
   The status element (aria-live="polite") says when the draft was saved, or, visibly,
   that it was not and why. Nothing typed is ever thrown away here: a failed save leaves
   the text in the form, says so, and the browser warns before leaving the page.

   Also: "Add a budget line" (a copy of the formset's empty line) and the live total.
   Without JavaScript the buttons do all of this with an ordinary form post. */
(function () {
    "use strict";

    var DELAY = 2000;
    var form = document.querySelector("form[data-autosave]");
    if (!form || !window.fetch || !window.FormData) {
        return;
    }
    var status = form.querySelector("[data-autosave-status]");
    var progress = form.querySelector("[data-autosave-progress]");
    var timer = null;
    var saving = false;
    var again = false;
    // A page shown again with errors holds text that is not saved yet.
    var dirty = Boolean(status && status.classList.contains("autosave-status--error"));
    var submitting = false;
    var marked = [];

    function text(name) {
        return form.getAttribute("data-message-" + name) || "";
    }

    function setProgress(message) {
        if (progress) {
            progress.textContent = message;
        }
    }

    function clearMarks() {
        marked.forEach(function (element) {
            element.removeAttribute("aria-invalid");
            element.classList.remove("autosave-invalid");
        });
        marked = [];
    }

    function mark(errors) {
        Object.keys(errors || {}).forEach(function (name) {
            var elements = form.querySelectorAll("[name='" + name.replace(/'/g, "") + "']");
            if (!elements.length) {
                var line = document.getElementById(name);
                elements = line ? line.querySelectorAll("input, textarea, select") : [];
            }
            Array.prototype.forEach.call(elements, function (element) {
                if (element.type === "checkbox" && element.name.slice(-7) === "-DELETE") {
                    return;
                }
                element.setAttribute("aria-invalid", "true");
                element.classList.add("autosave-invalid");
                marked.push(element);
            });
        });
    }

    function showSaved(message) {
        status.classList.remove("autosave-status--error");
        status.textContent = message;
    }

    function showFailure(message, summary) {
        status.classList.add("autosave-status--error");
        status.textContent = "";
        var lead = document.createElement("strong");
        lead.textContent = message;
        status.appendChild(lead);
        if (summary && summary.length) {
            var list = document.createElement("ul");
            summary.forEach(function (item) {
                var entry = document.createElement("li");
                if (item.href) {
                    var link = document.createElement("a");
                    link.href = item.href;
                    link.textContent = item.text;
                    entry.appendChild(link);
                } else {
                    entry.textContent = item.text;
                }
                list.appendChild(entry);
            });
            status.appendChild(list);
        }
    }

    function save() {
        timer = null;
        if (submitting) {
            return;
        }
        if (saving) {
            again = true;
            return;
        }
        saving = true;
        dirty = false;
        setProgress(text("saving"));
        fetch(form.getAttribute("action") || window.location.href, {
            method: "POST",
            body: new FormData(form),
            credentials: "same-origin",
            headers: { "X-Autosave": "1", Accept: "application/json" },
        })
            .then(function (response) {
                return response.json().then(
                    function (data) {
                        return { ok: response.ok, data: data };
                    },
                    function () {
                        throw new Error("not json");
                    }
                );
            })
            .then(function (result) {
                clearMarks();
                if (result.ok && result.data.saved_at) {
                    showSaved(result.data.message);
                } else {
                    dirty = true;
                    mark(result.data.errors);
                    showFailure(result.data.message || text("failed"), result.data.summary);
                }
            })
            .catch(function () {
                dirty = true;
                showFailure(text("failed"));
            })
            .then(function () {
                saving = false;
                setProgress(dirty ? text("unsaved") : "");
                if (again) {
                    again = false;
                    schedule();
                }
            });
    }

    function schedule() {
        dirty = true;
        setProgress(text("unsaved"));
        if (timer) {
            window.clearTimeout(timer);
        }
        timer = window.setTimeout(save, DELAY);
    }

    // --- Budget: the live total and "Add a budget line" --------------------------------

    var decimalSeparator = form.getAttribute("data-decimal-separator") || ",";
    var thousandSeparator = form.getAttribute("data-thousand-separator") || ".";
    var totalOutput = form.querySelector("[data-budget-total]");
    var lines = form.querySelector("[data-budget-lines]");
    var template = document.getElementById("budget-line-template");
    var addButton = form.querySelector("[data-add-budget-line]");
    var totalForms = form.querySelector("input[name$='-TOTAL_FORMS']");

    function parseAmount(value) {
        var cleaned = value
            .toLowerCase()
            .replace(/kr\.?|dkk|\s/g, "")
            .split(thousandSeparator)
            .join("")
            .replace(decimalSeparator, ".");
        if (!/^-?\d+(\.\d+)?$/.test(cleaned)) {
            return null;
        }
        return parseFloat(cleaned);
    }

    function updateTotal() {
        if (!totalOutput || !lines) {
            return;
        }
        var total = 0;
        Array.prototype.forEach.call(lines.querySelectorAll("[data-budget-line]"), function (line) {
            var amount = line.querySelector("input[name$='-amount']");
            var remove = line.querySelector("input[name$='-DELETE']");
            if (!amount || (remove && remove.checked)) {
                return;
            }
            var value = parseAmount(amount.value);
            if (value !== null) {
                total += value;
            }
        });
        var language = document.documentElement.lang || "da";
        totalOutput.textContent =
            new Intl.NumberFormat(language, { maximumFractionDigits: 2 }).format(total) + " kr.";
    }

    if (addButton && template && lines && totalForms) {
        addButton.hidden = false;
        addButton.addEventListener("click", function () {
            var index = parseInt(totalForms.value, 10);
            var html = template.innerHTML
                .replace(/__prefix__/g, String(index))
                .replace(/__number__/g, String(index + 1));
            lines.insertAdjacentHTML("beforeend", html);
            totalForms.value = String(index + 1);
            var added = lines.lastElementChild;
            var first = added && added.querySelector("input");
            if (first) {
                first.focus();
            }
        });
    }

    // --- Wiring -----------------------------------------------------------------------

    function changed(event) {
        if (event.target && event.target.name === "csrfmiddlewaretoken") {
            return;
        }
        updateTotal();
        schedule();
    }

    form.addEventListener("input", changed);
    form.addEventListener("change", function (event) {
        // Text fields already reported every keystroke as "input"; boxes only "change".
        var type = event.target && event.target.type;
        if (type === "checkbox" || type === "radio" || type === "select-one") {
            changed(event);
        }
    });
    form.addEventListener("submit", function () {
        // "Gem kladde" or "Indsend": the ordinary post saves everything; no background save.
        submitting = true;
        if (timer) {
            window.clearTimeout(timer);
            timer = null;
        }
    });
    window.addEventListener("beforeunload", function (event) {
        if ((dirty || saving) && !submitting) {
            event.preventDefault();
            event.returnValue = text("leave");
            return event.returnValue;
        }
        return undefined;
    });
})();
