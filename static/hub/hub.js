// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js");
