#include "run_app.hpp"

#include <exception>
#include <stdexcept>

#include "field_flags.hpp"
#include "output.hpp"
#include "parse_errors.hpp"

namespace valleys::cli {

int RunApp(CLI::App& app, int argc, char** argv, const std::string& program,
           const std::function<void()>& run) {
  const char* name = program.c_str();
  try {
    app.parse(argc, argv);
    if (run) run();
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    return ReportError(name, "error", ExplainParseError(app, e, program).c_str(), 2);
  } catch (const std::invalid_argument& e) {  // io::InputError included
    const CLI::App* command = InnermostCommand(app);
    const std::string message = FieldsToFlags(e.what(), [command](const std::string& flag) {
      return command->get_option_no_throw(flag) != nullptr;
    });
    return ReportError(name, "error", message.c_str(), 2);
  } catch (const std::exception& e) {
    return ReportError(name, "failed", e.what(), 1);
  }
  return 0;
}

}  // namespace valleys::cli
