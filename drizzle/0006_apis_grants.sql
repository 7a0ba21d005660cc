CREATE TABLE `apis` (
	`id` text PRIMARY KEY NOT NULL,
	`identifier` text NOT NULL,
	`mode` text NOT NULL,
	`name` text NOT NULL,
	`permissions` text DEFAULT '[]' NOT NULL,
	`token_ttl_seconds` integer,
	`alg` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `apis_mode_identifier` ON `apis` (`mode`,`identifier`);--> statement-breakpoint
CREATE TABLE `grants` (
	`client_id` text NOT NULL,
	`api_id` text NOT NULL,
	`permissions` text DEFAULT '' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`client_id`, `api_id`),
	FOREIGN KEY (`client_id`) REFERENCES `clients`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`api_id`) REFERENCES `apis`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `grants_api_id` ON `grants` (`api_id`);--> statement-breakpoint
ALTER TABLE `refresh_tokens` ADD `audience` text;