/* Running the wizard from a command (wizard, demo): its outcome as an exit
 * status, with the reason on stderr. */
#ifndef MM_CLI_CMD_WIZARD_H
#define MM_CLI_CMD_WIZARD_H

#include "screens/wizard.h"

int mm_cli_run_wizard(const mm_wizard_options *opt);

#endif
