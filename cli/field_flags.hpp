// Library messages name the field of an Options struct ("SimOptions::momentum = 1.5 is out of
// range ..."); the user reads the flag that sets it ("--momentum = 1.5 ..."). The programs pass
// every input error through FieldsToFlags before printing it.
#pragma once

#include <functional>
#include <string>

namespace valleys::cli {

// `message` with every qualified field name ("SimOptions::lr.eta") replaced by its flag: the
// flag of a field that is renamed or set through another flag's spec (the table in
// field_flags.cpp), else "--" + the field's last name with '_' written '-' ("--eta") when
// `has_flag` says the command has that flag (any flag when `has_flag` is empty). A name that
// maps to no flag is left as it is.
std::string FieldsToFlags(const std::string& message,
                          const std::function<bool(const std::string& flag)>& has_flag = {});

}  // namespace valleys::cli
