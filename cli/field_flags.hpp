// Library messages name the field of an Options struct ("SimOptions::momentum = 1.5 is out of
// range ..."); the user reads the flag that sets it ("--momentum = 1.5 ..."). The programs pass
// every input error through FieldsToFlags before printing it.
#pragma once

#include <string>

namespace valleys::cli {

// `message` with every qualified field name of the table in field_flags.cpp replaced by its flag
// (a name followed by a letter, digit, '_' or '.' is a longer name and left alone).
std::string FieldsToFlags(const std::string& message);

}  // namespace valleys::cli
