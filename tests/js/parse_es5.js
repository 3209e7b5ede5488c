// Parses each file named on the command line as an ES5 script (acorn, ecmaVersion 5), the
// language of the old TV browsers, and prints {file: error or null} as JSON.
"use strict";
var fs = require("fs");
var acorn = require("acorn");

var results = {};
process.argv.slice(2).forEach(function (file) {
  try {
    acorn.parse(fs.readFileSync(file, "utf8"), { ecmaVersion: 5, sourceType: "script" });
    results[file] = null;
  } catch (e) {
    results[file] = e.message;
  }
});
process.stdout.write(JSON.stringify(results));
