export function startLoaderServer(root: string, pluginId: string): Promise<{ url: string; stop: () => Promise<void> }>;
