// Starts the design system's components (the mobile menu, accordions, the error summary).
// Accordions are drawn open, so that their text reads without JavaScript; here they close,
// except the one that holds the part of the page the address points at.
document.addEventListener("DOMContentLoaded", () => {
    const target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    for (const button of document.querySelectorAll("[data-start-collapsed] .accordion-button")) {
        const content = document.getElementById(button.getAttribute("aria-controls"));
        if (target && content.contains(target)) continue;
        button.setAttribute("aria-expanded", "false");
        content.setAttribute("aria-hidden", "true");
    }
    window.DKFDS.init();
});
