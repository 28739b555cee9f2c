/* Live discussion on a topic page (progressive enhancement; no framework).

   Without JavaScript, or without WebSocket, the page is plain HTML and the reply form
   posts normally. With it:

   - a WebSocket to data-ws-path on #posts; on every (re)connect the page asks for
     everything after the highest sequence number it has seen ({"type": "resync"}),
     so a dropped connection loses nothing; reconnects back off 1 s, 2 s, 4 s … 30 s
     with jitter, and at once when the browser comes back online; a new post whose
     number skips one that never arrived asks for the missing ones the same way;
   - posts are inserted in sequence order, an article already on the page is replaced
     (edited, hidden, deleted), and no post is ever shown twice;
   - #live-status (role="status", aria-live="polite") announces new posts without
     moving focus; #live-pause pauses the feed (posts queue) and resumes (they are
     shown in order);
   - #reply-form posts through the socket while it is open; a refusal keeps the text
     and shows the reason in #reply-errors (role="alert"); when the socket is closed
     the form posts normally;
   - "typing" notices (throttled) and who is viewing are shown in #live-presence;
   - a read marker is sent when new posts have been shown in a visible tab.

   The server's protocol is documented in knowledge/consumers.py. The visible texts
   come from data-text-* attributes on #posts (Danish fallbacks below); "{name}" and
   "{count}" in them are replaced. */
(function () {
    "use strict";

    var container = document.getElementById("posts");
    if (!container || !container.dataset.wsPath || !window.WebSocket || !window.JSON) {
        return;
    }

    var FALLBACK = {
        newPost: "Nyt indlæg fra",
        newPosts: "{count} nye indlæg",
        paused: "Live-opdateringer er sat på pause",
        waiting: "{count} nye indlæg venter",
        pause: "Sæt live-opdateringer på pause",
        resume: "Genoptag live-opdateringer",
        reconnecting: "Forbindelsen blev afbrudt – prøver igen",
        connected: "Live-opdateringer er slået til",
        closed: "Live-opdateringer er stoppet. Genindlæs siden for at se nye indlæg.",
        typing: "{name} skriver …",
        viewers: "Ser med:",
        sendFailed: "Forbindelsen blev afbrudt, før indlægget blev gemt. Teksten står stadig i feltet – prøv igen.",
        sending: "Sender …"
    };
    var MAX_DELAY = 30000;
    var TYPING_EVERY = 3000;
    var TYPING_SHOWN = 4000;
    var SEND_TIMEOUT = 15000;

    var statusRegion = document.getElementById("live-status");
    var pauseButton = document.getElementById("live-pause");
    var presence = document.getElementById("live-presence");
    var form = document.getElementById("reply-form");
    var textarea = form ? form.querySelector("textarea[name=text]") : null;

    var socket = null;
    var attempts = 0;
    var reconnectTimer = null;
    var stopped = false;
    var lost = false;
    var lastReceived = highestOnPage();
    var paused = false;
    var queue = [];
    var pending = null;
    var lastTypingSent = 0;
    var viewersText = "";
    var typingTimer = null;
    var readTimer = null;
    var readSent = 0;
    var ownPosts = {};
    var announceBatch = null;

    function text(name, values) {
        var key = "text" + name.charAt(0).toUpperCase() + name.slice(1).replace(/-([a-z])/g, function (m, c) {
            return c.toUpperCase();
        });
        var value = container.dataset[key] || FALLBACK[name] || "";
        Object.keys(values || {}).forEach(function (placeholder) {
            value = value.split("{" + placeholder + "}").join(values[placeholder]);
        });
        return value;
    }

    function articles() {
        return Array.prototype.filter.call(container.children, function (element) {
            return element.hasAttribute("data-sequence");
        });
    }

    function sequenceOf(element) {
        return parseInt(element.getAttribute("data-sequence"), 10) || 0;
    }

    function highestOnPage() {
        var highest = parseInt(container.dataset.lastSequence, 10) || 0;
        articles().forEach(function (article) {
            highest = Math.max(highest, sequenceOf(article));
        });
        return highest;
    }

    function announce(message) {
        if (!statusRegion) {
            return;
        }
        // Clear first so the same words twice are still announced.
        statusRegion.textContent = "";
        window.setTimeout(function () {
            statusRegion.textContent = message;
        }, 50);
    }

    function setState(state) {
        container.setAttribute("data-live-state", state);
    }

    /* --- Showing posts ------------------------------------------------------------- */

    function fragmentOf(html) {
        var template = document.createElement("template");
        template.innerHTML = html.trim();
        return template.content.firstElementChild;
    }

    function authorOf(article) {
        var meta = article.querySelector(".post__meta");
        var author = article.querySelector(".post__author");
        var municipality = article.querySelector(".post__municipality");
        if (author) {
            return author.textContent.trim() + (municipality ? ", " + municipality.textContent.trim() : "");
        }
        return meta ? meta.textContent.trim() : "";
    }

    /* A live post's fragment is the same for every tab and lists every action; keep the
       ones open to this tab's viewer, by the rules of the topic view (knowledge/views.py).
       The server checks again when an action is used. */
    function fitActions(article) {
        var list = article.querySelector("[data-live-actions]");
        if (!list) {
            return;
        }
        var viewer = container.dataset.viewer || "";
        var own = viewer !== "" && article.dataset.author === viewer;
        var allowed = {
            quote: container.dataset.mayReply === "true",
            edit: own,
            "delete": own || container.dataset.moderator === "true",
            report: viewer !== "" && !own
        };
        Array.prototype.slice.call(list.children).forEach(function (item) {
            if (!allowed[item.dataset.action]) {
                list.removeChild(item);
            }
        });
        if (list.children.length) {
            list.removeAttribute("data-live-actions");
            list.hidden = false;
        } else {
            list.parentNode.removeChild(list);
        }
    }

    function show(payload) {
        var article = fragmentOf(payload.html || "");
        if (!article) {
            return false;
        }
        fitActions(article);
        var sequence = payload.sequence;
        var existing = null;
        var before = null;
        articles().some(function (element) {
            var number = sequenceOf(element);
            if (number === sequence) {
                existing = element;
                return true;
            }
            if (number > sequence) {
                before = element;
                return true;
            }
            return false;
        });
        if (existing) {
            if (payload.type === "post.created") {
                return false; // already shown: never twice
            }
            var focused = existing.contains(document.activeElement);
            existing.parentNode.replaceChild(article, existing);
            if (focused) {
                article.setAttribute("tabindex", "-1");
                article.focus();
            }
            return false;
        }
        container.insertBefore(article, before);
        var empty = container.parentNode && container.parentNode.querySelector(".topic-posts__empty");
        if (empty) {
            empty.hidden = true;
        }
        return payload.type === "post.created" && payload.visible && !ownPosts[sequence] ? article : false;
    }

    function receivePost(payload) {
        if (payload.type === "post.created" && announceBatch === null &&
                payload.sequence > lastReceived + 1) {
            // Posts in between went missing on the way (a full channel): fetch them.
            send({type: "resync", after: lastReceived});
        }
        lastReceived = Math.max(lastReceived, payload.sequence);
        if (paused) {
            queue.push(payload);
            announce(text("waiting", {count: countNew(queue)}));
            return;
        }
        var article = show(payload);
        if (article) {
            if (announceBatch) {
                announceBatch.push(article);
            } else {
                announce(text("newPost") + " " + authorOf(article));
            }
        }
        scheduleRead();
    }

    function countNew(payloads) {
        var numbers = {};
        payloads.forEach(function (payload) {
            if (payload.type === "post.created") {
                numbers[payload.sequence] = true;
            }
        });
        return Object.keys(numbers).length;
    }

    function announceNew(shown) {
        if (shown.length === 1) {
            announce(text("newPost") + " " + authorOf(shown[0]));
        } else if (shown.length > 1) {
            announce(text("newPosts", {count: shown.length}));
        }
    }

    function flush() {
        var waiting = queue.sort(function (a, b) {
            return a.sequence - b.sequence;
        });
        queue = [];
        var shown = [];
        waiting.forEach(function (payload) {
            var article = show(payload);
            if (article) {
                shown.push(article);
            }
        });
        announceNew(shown);
        scheduleRead();
    }

    function setPaused(value) {
        paused = value;
        pauseButton.setAttribute("aria-pressed", paused ? "true" : "false");
        pauseButton.textContent = paused ? text("resume") : text("pause");
        if (paused) {
            announce(text("paused"));
        } else {
            flush();
        }
    }

    function scheduleRead() {
        window.clearTimeout(readTimer);
        readTimer = window.setTimeout(function () {
            if (document.visibilityState === "hidden") {
                return;
            }
            var shown = 0;
            articles().forEach(function (article) {
                shown = Math.max(shown, sequenceOf(article));
            });
            if (shown > readSent && send({type: "read", sequence: shown})) {
                readSent = shown;
            }
        }, 1000);
    }

    /* --- Presence and typing ------------------------------------------------------- */

    function showPresence(message) {
        if (!presence) {
            return;
        }
        presence.textContent = message;
        presence.hidden = !message;
    }

    function onPresence(viewers) {
        viewersText = viewers && viewers.length ? text("viewers") + " " + viewers.join("; ") : "";
        if (!typingTimer) {
            showPresence(viewersText);
        }
    }

    function onTyping(name) {
        showPresence(text("typing", {name: name}));
        window.clearTimeout(typingTimer);
        typingTimer = window.setTimeout(function () {
            typingTimer = null;
            showPresence(viewersText);
        }, TYPING_SHOWN);
    }

    /* --- The reply form ------------------------------------------------------------ */

    function errorBox() {
        var box = document.getElementById("reply-errors");
        if (!box && form) {
            box = document.createElement("div");
            box.id = "reply-errors";
            box.setAttribute("role", "alert");
            form.insertBefore(box, form.querySelector("[type=submit]"));
        }
        return box;
    }

    function showError(message) {
        var box = errorBox();
        if (box) {
            box.textContent = "";
            // DKFDS's error alert: div.alert.alert-error > div.alert-body > p.alert-text
            var alert = document.createElement("div");
            alert.className = "alert alert-error";
            var body = document.createElement("div");
            body.className = "alert-body";
            var paragraph = document.createElement("p");
            paragraph.className = "alert-text";
            paragraph.textContent = message;
            body.appendChild(paragraph);
            alert.appendChild(body);
            box.appendChild(alert);
        }
        if (textarea) {
            textarea.setAttribute("aria-invalid", "true");
        }
    }

    function clearError() {
        var box = document.getElementById("reply-errors");
        if (box) {
            box.textContent = "";
        }
        if (textarea) {
            textarea.removeAttribute("aria-invalid");
        }
    }

    function finishSending() {
        if (!pending) {
            return;
        }
        window.clearTimeout(pending.timer);
        pending = null;
        var button = form.querySelector("[type=submit]");
        if (button) {
            button.disabled = false;
            button.removeAttribute("aria-busy");
        }
    }

    function sendFailed() {
        if (pending) {
            finishSending();
            showError(text("sendFailed"));
        }
    }

    function onPosted(sequence) {
        ownPosts[sequence] = true;
        finishSending();
        clearError();
        textarea.value = "";
        var quoted = form.querySelector("[name=quoted]");
        if (quoted) {
            quoted.value = "";
        }
        var quote = form.querySelector(".reply-box__quote");
        if (quote) {
            quote.parentNode.removeChild(quote);
        }
    }

    if (form && textarea) {
        form.addEventListener("submit", function (event) {
            if (!socket || socket.readyState !== WebSocket.OPEN) {
                return; // the ordinary form post
            }
            event.preventDefault();
            if (pending) {
                return;
            }
            var quoted = form.querySelector("[name=quoted]");
            var quotedNumber = quoted && quoted.value ? parseInt(quoted.value, 10) : null;
            if (!send({type: "post", text: textarea.value, quoted: isNaN(quotedNumber) ? null : quotedNumber})) {
                form.submit();
                return;
            }
            var button = form.querySelector("[type=submit]");
            if (button) {
                button.disabled = true;
                button.setAttribute("aria-busy", "true");
            }
            pending = {timer: window.setTimeout(sendFailed, SEND_TIMEOUT)};
        });
        textarea.addEventListener("input", function () {
            var now = Date.now();
            if (now - lastTypingSent > TYPING_EVERY && textarea.value.trim()) {
                lastTypingSent = now;
                send({type: "typing"});
            }
        });
    }

    /* --- The socket ---------------------------------------------------------------- */

    function send(message) {
        if (socket && socket.readyState === WebSocket.OPEN) {
            socket.send(JSON.stringify(message));
            return true;
        }
        return false;
    }

    function onMessage(event) {
        var message;
        try {
            message = JSON.parse(event.data);
        } catch (error) {
            return;
        }
        switch (message.type) {
        case "post.created":
        case "post.edited":
        case "post.removed":
            receivePost(message);
            break;
        case "resync.done":
            lastReceived = Math.max(lastReceived, message.last || 0);
            var batch = announceBatch || [];
            announceBatch = null;
            if (lost) {
                lost = false;
                if (!batch.length) {
                    announce(text("connected"));
                }
            }
            announceNew(batch);
            setState("open");
            break;
        case "posted":
            onPosted(message.sequence);
            break;
        case "error":
            if (pending) {
                finishSending();
            }
            showError(message.message);
            break;
        case "typing":
            onTyping(message.name);
            break;
        case "presence":
            onPresence(message.viewers);
            break;
        }
    }

    function connect() {
        reconnectTimer = null;
        if (stopped) {
            return;
        }
        var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
        setState("connecting");
        try {
            socket = new WebSocket(scheme + window.location.host + container.dataset.wsPath);
        } catch (error) {
            scheduleReconnect();
            return;
        }
        socket.addEventListener("open", function () {
            attempts = 0;
            announceBatch = [];
            send({type: "resync", after: lastReceived});
        });
        socket.addEventListener("message", onMessage);
        socket.addEventListener("close", function (event) {
            socket = null;
            sendFailed();
            announceBatch = null;
            if (event.code === 4403 || event.code === 4404) {
                stopped = true;
                setState("stopped");
                announce(text("closed"));
                return;
            }
            if (!lost) {
                lost = true;
                announce(text("reconnecting"));
            }
            scheduleReconnect();
        });
    }

    function scheduleReconnect() {
        setState("closed");
        if (reconnectTimer || stopped) {
            return;
        }
        var delay = Math.min(MAX_DELAY, 1000 * Math.pow(2, attempts));
        attempts += 1;
        delay = delay * (0.75 + Math.random() * 0.5); // jitter: no thundering herd
        reconnectTimer = window.setTimeout(connect, Math.min(delay, MAX_DELAY));
    }

    window.addEventListener("online", function () {
        if (!socket && !stopped) {
            window.clearTimeout(reconnectTimer);
            reconnectTimer = null;
            attempts = 0;
            connect();
        }
    });
    document.addEventListener("visibilitychange", function () {
        if (document.visibilityState === "visible") {
            scheduleReadIfOpen();
        }
    });

    function scheduleReadIfOpen() {
        if (socket && socket.readyState === WebSocket.OPEN) {
            scheduleRead();
        }
    }

    if (pauseButton) {
        pauseButton.hidden = false;
        pauseButton.setAttribute("aria-pressed", "false");
        pauseButton.textContent = text("pause");
        pauseButton.addEventListener("click", function () {
            setPaused(!paused);
        });
    }

    // For tests and debugging: drop the connection as a network failure would.
    window.liveTopic = {
        drop: function () {
            if (socket) {
                socket.close();
            }
        },
        lastSequence: function () {
            return lastReceived;
        }
    };

    connect();
}());
