import { PanelPlugin } from '@grafana/data';
import { ApmPanel } from './components/ApmPanel';
import { addPanelOptions } from './options';
import { type ApmPanelOptions } from './types';

export const plugin = new PanelPlugin<ApmPanelOptions>(ApmPanel).setPanelOptions(addPanelOptions);
