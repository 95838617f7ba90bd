// Parseq tab: "Send to img2img" puts the rendered manifest into the Parseq script's text box on the
// img2img tab and switches to that tab. A1111 loads this file on every page; the standalone UI injects it.
// It follows A1111's conventions: gradioApp() to reach the page, updateInput() (or an "input" event) so
// gradio sees the new value, and switch_to_img2img() to change tab. The script's box is used only when
// "Parseq" is chosen in img2img's Script menu (and may not be on the page before), so the menu is set too.

(function () {
    "use strict";

    var MANIFEST_ID = "parseq_manifest";
    var SCRIPT_TITLE = "Parseq";

    function root() {
        if (typeof window.gradioApp === "function") {
            return window.gradioApp();
        }
        var app = document.querySelector("gradio-app");
        return (app && app.shadowRoot) || document;
    }

    function manifestTextarea() {
        var holder = root().querySelector("#" + MANIFEST_ID);
        if (!holder) {
            return null;
        }
        return holder.tagName === "TEXTAREA" ? holder : holder.querySelector("textarea");
    }

    function img2imgScriptMenu() {
        var tab = root().querySelector("#tab_img2img") || root().querySelector("#img2img_script_container");
        return tab ? tab.querySelector("#script_list") : null;
    }

    function waitFor(find, timeoutMs) {
        return new Promise(function (resolve) {
            var started = Date.now();
            (function poll() {
                var found = find();
                if (found || Date.now() - started > timeoutMs) {
                    resolve(found || null);
                    return;
                }
                setTimeout(poll, 50);
            })();
        });
    }

    // gradio 3 renders a menu option as <li data-value="Parseq">; gradio 4 (Forge) as
    // <li role="option" aria-label="Parseq" data-index="2">. Both select on mousedown.
    function scriptOption(menu) {
        var options = menu.querySelectorAll("li[data-value], li[role='option']");
        for (var i = 0; i < options.length; i++) {
            var label = options[i].getAttribute("data-value") || options[i].getAttribute("aria-label") ||
                options[i].textContent.trim();
            if (label === SCRIPT_TITLE) {
                return options[i];
            }
        }
        return null;
    }

    async function chooseParseqScript(menu) {
        var input = await waitFor(function () {
            var box = menu.querySelector("input");
            return box && box.offsetParent !== null ? box : null;
        }, 1500);
        if (!input) {
            return false;
        }
        if (input.value === SCRIPT_TITLE) {
            return true;
        }
        input.focus();
        input.dispatchEvent(new Event("focus"));
        input.click();
        var option = await waitFor(function () {
            return scriptOption(menu);
        }, 1500);
        if (!option) {
            return false;
        }
        option.dispatchEvent(new MouseEvent("mousedown", { bubbles: true, cancelable: true }));
        return Boolean(await waitFor(function () {
            return input.value === SCRIPT_TITLE;
        }, 1500));
    }

    function announceInput(textarea) {
        if (typeof window.updateInput === "function") {
            window.updateInput(textarea);
            return;
        }
        textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }

    function switchToImg2img() {
        if (typeof window.switch_to_img2img === "function") {
            window.switch_to_img2img();
            return;
        }
        var buttons = root().querySelectorAll("#tabs button");
        for (var i = 0; i < buttons.length; i++) {
            if (buttons[i].textContent.trim().toLowerCase() === "img2img") {
                buttons[i].click();
                return;
            }
        }
    }

    // Resolves to the note shown under the button (gradio puts the return value into the note component).
    window.parseqSendToImg2img = async function (manifestText) {
        if (!manifestText) {
            return "Nothing to send: the document does not compile yet (see the error above).";
        }
        var textarea = manifestTextarea();
        var menu = img2imgScriptMenu();
        if (!textarea && !menu) {
            return "There is no img2img tab with the Parseq script on this page (the standalone editor has none). " +
                "Download the manifest, or paste it into the Parseq script's text box in AUTOMATIC1111.";
        }
        switchToImg2img();
        var chosen = menu ? await chooseParseqScript(menu) : false;
        textarea = textarea || (await waitFor(manifestTextarea, 3000));
        if (!textarea) {
            return "Could not open the Parseq script on the img2img tab: choose \"Parseq\" in its Script menu, then send again.";
        }
        textarea.value = manifestText;
        announceInput(textarea);
        return chosen
            ? "Sent to img2img, with the Parseq script chosen in its Script menu."
            : "Sent to img2img: choose \"Parseq\" in its Script menu if it is not chosen.";
    };
})();
