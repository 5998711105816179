package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"cmesim/scenarios"
)

// addAttachmentLimitFlags adds --max-attachment-size and
// --max-attachments-size (in MiB) to a command that loads scenarios, and
// applies them before it runs.
func addAttachmentLimitFlags(cmd *cobra.Command) {
	var perFile, perScenario int
	cmd.Flags().IntVar(&perFile, "max-attachment-size", 0, fmt.Sprintf("largest file a scenario may attach, in `MiB` (default %d)", scenarios.MaxAttachmentSize>>20))
	cmd.Flags().IntVar(&perScenario, "max-attachments-size", 0, fmt.Sprintf("largest total of a scenario's attached files, in `MiB` (default %d)", scenarios.MaxAttachmentsSize>>20))
	cmd.PreRunE = func(cmd *cobra.Command, _ []string) error {
		for name, v := range map[string]int{"--max-attachment-size": perFile, "--max-attachments-size": perScenario} {
			if v < 0 || v > 1024 {
				return usageError(fmt.Errorf("%s: %s must be between 1 and 1024 MiB, got %d", cmd.Name(), name, v))
			}
		}
		scenarios.SetAttachmentLimits(int64(perFile)<<20, int64(perScenario)<<20)
		return nil
	}
}
