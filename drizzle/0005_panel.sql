CREATE TABLE `operators` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`role` text NOT NULL,
	`org_id` text,
	`enabled` integer DEFAULT true NOT NULL,
	`password_hash` text,
	`totp_secret_sealed` text,
	`totp_enabled` integer DEFAULT false NOT NULL,
	`totp_last_step` integer DEFAULT 0 NOT NULL,
	`recovery_code_hashes` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `operators_email` ON `operators` (`email`);--> statement-breakpoint
CREATE TABLE `sessions` (
	`id_hash` text PRIMARY KEY NOT NULL,
	`operator_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_seen_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`operator_id`) REFERENCES `operators`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `sessions_operator_id` ON `sessions` (`operator_id`);--> statement-breakpoint
CREATE INDEX `sessions_expires_at` ON `sessions` (`expires_at`);--> statement-breakpoint
CREATE TABLE `setup_tokens` (
	`hash` text PRIMARY KEY NOT NULL,
	`operator_id` text,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	FOREIGN KEY (`operator_id`) REFERENCES `operators`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `setup_tokens_operator_id` ON `setup_tokens` (`operator_id`);--> statement-breakpoint
CREATE INDEX `setup_tokens_expires_at` ON `setup_tokens` (`expires_at`);--> statement-breakpoint
ALTER TABLE `clients` ADD `last_used_at` integer;